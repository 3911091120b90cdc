// pgjdbc against a CairnDB node: PreparedStatement with typed parameters,
// batch inserts, a transaction rolled back and one committed, and metadata.
// Prints what it read; the e2e test compares it. Usage: JdbcClient PORT
import java.math.BigDecimal;
import java.sql.*;

public class JdbcClient {
  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/postgres?user=root";
    try (Connection c = DriverManager.getConnection(url)) {
      DatabaseMetaData meta = c.getMetaData();
      System.out.println(meta.getDatabaseProductName() + " " + meta.getDatabaseMajorVersion());
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE jd (id INT PRIMARY KEY, name TEXT NOT NULL, amount NUMERIC(10,2), born DATE, at TIMESTAMP)");
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO jd VALUES (?, ?, ?, ?, ?)")) {
        for (int i = 1; i <= 5; i++) {
          p.setInt(1, i);
          p.setString(2, "name " + i);
          p.setBigDecimal(3, new BigDecimal(i + ".25"));
          p.setDate(4, Date.valueOf("2024-02-1" + i));
          p.setTimestamp(5, Timestamp.valueOf("2024-02-11 10:00:0" + i));
          p.addBatch();
        }
        int[] counts = p.executeBatch();
        System.out.println("batch " + counts.length);
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM jd WHERE id = 1");
      }
      c.rollback();
      try (PreparedStatement p = c.prepareStatement("UPDATE jd SET amount = amount + ? WHERE id = ?")) {
        p.setBigDecimal(1, new BigDecimal("1.00"));
        p.setInt(2, 2);
        System.out.println("updated " + p.executeUpdate());
      }
      c.commit();
      c.setAutoCommit(true);
      try (PreparedStatement p = c.prepareStatement(
               "SELECT id, name, amount, born, at FROM jd WHERE id <= ? ORDER BY id")) {
        p.setInt(1, 2);
        try (ResultSet r = p.executeQuery()) {
          ResultSetMetaData md = r.getMetaData();
          System.out.println(md.getColumnCount() + " " + md.getColumnName(3) + " " + md.getColumnTypeName(3));
          while (r.next()) {
            System.out.println(r.getInt(1) + "|" + r.getString(2) + "|" + r.getBigDecimal(3) + "|"
                + r.getDate(4) + "|" + r.getTimestamp(5));
          }
        }
      }
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO jd (id, name) VALUES (1, 'dup')");
      } catch (SQLException e) {
        System.out.println("error " + e.getSQLState());
      }
    }
  }
}
