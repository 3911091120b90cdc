// CairnDB's SQL grammar: a subset of PostgreSQL's, shaped for the transform
// (parser/transform_*.cc), which turns these parse trees into parser/ast.
//
// Expressions are a ladder of rules, loosest binding first, following the
// precedence table of PostgreSQL's gram.y. Comparisons, BETWEEN/IN/LIKE are
// non-associative as there.
parser grammar CairnSqlParser;

options { tokenVocab = CairnSqlLexer; }

script: statement? (SEMI statement?)* EOF;
singleExpression: expr EOF;

statement
    : selectStmt
    | insertStmt
    | updateStmt
    | deleteStmt
    | createDatabaseStmt
    | dropDatabaseStmt
    | createTableStmt
    | dropTableStmt
    | createIndexStmt
    | dropIndexStmt
    | alterTableStmt
    | truncateStmt
    | transactionStmt
    | setStmt
    | showStmt
    | resetStmt
    | explainStmt
    | copyStmt
    | vacuumStmt
    | declareCursorStmt
    | fetchStmt
    | closeCursorStmt
    | prepareStmt
    | executeStmt
    | deallocateStmt
    | commentStmt
    | createRoleStmt
    | alterRoleStmt
    | dropRoleStmt
    | grantStmt
    | revokeStmt
    ;

// ---------------------------------------------------------------- queries

selectStmt: withClause? setExpr orderByClause? limitClause? lockingClause?;
withClause: WITH RECURSIVE? commonTableExpr (COMMA commonTableExpr)*;
commonTableExpr: identifier columnNameList? AS LPAREN selectStmt RPAREN;

setExpr: setTerm (setOp=(UNION | EXCEPT) setQuantifier? setTerm)*;
setTerm: setPrimary (INTERSECT setQuantifier? setPrimary)*;
setQuantifier: ALL | DISTINCT;
setPrimary
    : simpleSelect
    | valuesClause
    | LPAREN selectStmt RPAREN
    ;

simpleSelect
    : SELECT distinctClause? targetList? fromClause? whereClause?
      groupByClause? havingClause?
    ;
distinctClause: DISTINCT (ON LPAREN exprList RPAREN)? | ALL;
targetList: targetItem (COMMA targetItem)*;
targetItem
    : STAR                                   #starTarget
    | identifier (DOT identifier)* DOT STAR  #qualifiedStarTarget
    | expr (AS colLabel | identifier)?       #exprTarget
    ;

valuesClause: VALUES valuesRow (COMMA valuesRow)*;
valuesRow: LPAREN exprOrDefault (COMMA exprOrDefault)* RPAREN;
exprOrDefault: DEFAULT | expr;

fromClause: FROM fromItem (COMMA fromItem)* asOfClause?;
// CairnDB (as CockroachDB): read the whole cluster as of a past time.
asOfClause: AS OF SYSTEM TIME expr;
fromItem: tablePrimary joinPart*;
joinPart
    : CROSS JOIN tablePrimary                           #crossJoin
    | NATURAL joinType? JOIN tablePrimary                #naturalJoin
    | joinType? JOIN tablePrimary joinCondition          #qualifiedJoin
    ;
joinType: INNER | (LEFT | RIGHT | FULL) OUTER?;
joinCondition: ON expr | USING columnNameList;
tablePrimary
    : ONLY? qualifiedName aliasClause?          #tableName
    | LPAREN selectStmt RPAREN aliasClause?     #subqueryTable
    | LPAREN fromItem RPAREN aliasClause?       #parenthesizedJoin
    | functionName LPAREN functionArgs? RPAREN aliasClause?  #functionTable
    ;
aliasClause: AS? identifier columnNameList?;

whereClause: WHERE expr;
groupByClause: GROUP BY setQuantifier? exprList;
havingClause: HAVING expr;
orderByClause: ORDER BY sortItem (COMMA sortItem)*;
sortItem: expr direction=(ASC | DESC)? (NULLS nulls=(FIRST | LAST))?;
limitClause
    : LIMIT limitValue (OFFSET expr rowOrRows?)?
    | OFFSET expr rowOrRows? (LIMIT limitValue)?
    ;
limitValue: ALL | expr;
rowOrRows: ROW | ROWS;
lockingClause: FOR (UPDATE | NO KEY UPDATE | SHARE | KEY SHARE) (NOWAIT | SKIP_P LOCKED)?;

// ---------------------------------------------------------------- DML

insertStmt
    : withClause? INSERT INTO qualifiedName (AS identifier)? columnNameList?
      (DEFAULT VALUES | selectStmt) onConflictClause? returningClause?
    ;
onConflictClause
    : ON CONFLICT (columnNameList | ON CONSTRAINT identifier)?
      DO (NOTHING | UPDATE SET setClause (COMMA setClause)* whereClause?)
    ;
returningClause: RETURNING targetList;

updateStmt
    : withClause? UPDATE ONLY? qualifiedName (AS? identifier)?
      SET setClause (COMMA setClause)* fromClause? whereClause? returningClause?
    ;
setClause
    : identifier EQ exprOrDefault                                                #singleSet
    | columnNameList EQ LPAREN exprOrDefault (COMMA exprOrDefault)* RPAREN     #multiSet
    ;

deleteStmt
    : withClause? DELETE FROM ONLY? qualifiedName (AS? identifier)?
      (USING fromItem (COMMA fromItem)*)? whereClause? returningClause?
    ;

// ---------------------------------------------------------------- DDL

createDatabaseStmt: CREATE DATABASE identifier;
dropDatabaseStmt: DROP DATABASE (IF EXISTS)? identifier;

createTableStmt
    : CREATE TABLE (IF NOT EXISTS)? qualifiedName
      LPAREN (tableElement (COMMA tableElement)*)? RPAREN (WITH optionList)?
    ;
tableElement: columnDef | tableConstraint;
columnDef: identifier typeName columnConstraint*;
columnConstraint: (CONSTRAINT identifier)? columnConstraintBody;
columnConstraintBody
    : NOT NULL_P                                                   #notNullConstraint
    | NULL_P                                                       #nullConstraint
    | PRIMARY KEY                                                #primaryKeyColumnConstraint
    | UNIQUE                                                     #uniqueColumnConstraint
    | CHECK LPAREN expr RPAREN                                   #checkColumnConstraint
    | DEFAULT expr                                               #defaultConstraint
    | REFERENCES qualifiedName columnNameList? referentialAction* constraintTiming?
                                                                  #referencesConstraint
    ;
tableConstraint: (CONSTRAINT identifier)? tableConstraintBody;
tableConstraintBody
    : PRIMARY KEY columnNameList                                  #primaryKeyTableConstraint
    | UNIQUE columnNameList                                       #uniqueTableConstraint
    | CHECK LPAREN expr RPAREN                                    #checkTableConstraint
    | FOREIGN KEY columnNameList REFERENCES qualifiedName columnNameList? referentialAction*
      constraintTiming?                                           #foreignKeyTableConstraint
    ;
referentialAction
    : ON event=(DELETE | UPDATE)
      (CASCADE | RESTRICT | SET NULL_P | SET DEFAULT | NO ACTION)
    ;
// When a constraint is checked: at the end of each statement, or (DEFERRABLE
// INITIALLY DEFERRED, or after SET CONSTRAINTS ... DEFERRED) at COMMIT.
constraintTiming
    : NOT? DEFERRABLE (INITIALLY initially=(DEFERRED | IMMEDIATE))?
    | INITIALLY initially=(DEFERRED | IMMEDIATE) (NOT? DEFERRABLE)?
    ;

dropTableStmt: DROP TABLE (IF EXISTS)? qualifiedNameList dropBehavior?;
dropBehavior: CASCADE | RESTRICT;

createIndexStmt
    : CREATE UNIQUE? INDEX (IF NOT EXISTS identifier | identifier)? ON qualifiedName
      (USING identifier)? LPAREN indexElem (COMMA indexElem)* RPAREN
      ((INCLUDE | STORING) columnNameList)? whereClause?
    ;
indexElem
    : (identifier | LPAREN expr RPAREN) direction=(ASC | DESC)? (NULLS nulls=(FIRST | LAST))?
    ;
dropIndexStmt: DROP INDEX (IF EXISTS)? qualifiedNameList dropBehavior?;

alterTableStmt
    : ALTER TABLE (IF EXISTS)? ONLY? qualifiedName alterTableCmd (COMMA alterTableCmd)*
    ;
alterTableCmd
    : ADD COLUMN? (IF NOT EXISTS)? columnDef                    #addColumn
    | ADD tableConstraint                                       #addConstraint
    | DROP COLUMN? (IF EXISTS)? identifier dropBehavior?         #dropColumn
    | DROP CONSTRAINT (IF EXISTS)? identifier dropBehavior?      #dropConstraint
    | ALTER COLUMN? identifier SET DEFAULT expr                  #setColumnDefault
    | ALTER COLUMN? identifier DROP DEFAULT                      #dropColumnDefault
    | ALTER COLUMN? identifier SET NOT NULL_P                      #setNotNull
    | ALTER COLUMN? identifier DROP NOT NULL_P                     #dropNotNull
    | ALTER COLUMN? identifier (SET DATA)? TYPE typeName         #alterColumnType
    | RENAME COLUMN? identifier TO identifier                    #renameColumn
    | RENAME CONSTRAINT identifier TO identifier                 #renameConstraint
    | RENAME TO identifier                                       #renameTable
    | SPLIT AT valuesClause                                      #splitAt
    ;

// COMMENT ON TABLE t | COLUMN t.c IS 'text' | NULL
commentStmt
    : COMMENT ON (TABLE qualifiedName | COLUMN qualifiedName) IS (stringLiteral | NULL_P)
    ;

// ---------------------------------------------------------------- roles and privileges

createRoleStmt: CREATE kind=(ROLE | USER) identifier WITH? roleOption*;
alterRoleStmt
    : ALTER kind=(ROLE | USER) roleSpec RENAME TO identifier       #renameRole
    | ALTER kind=(ROLE | USER) roleSpec WITH? roleOption*         #alterRoleOptions
    ;
dropRoleStmt: DROP kind=(ROLE | USER) (IF EXISTS)? identifier (COMMA identifier)*;
roleOption
    : ENCRYPTED? PASSWORD (stringLiteral | NULL_P)     #passwordOption
    | CONNECTION LIMIT signedCount                    #connectionLimitOption
    | VALID UNTIL stringLiteral                       #validUntilOption
    | identifier                                      #flagOption
    ;
roleSpec: identifier | CURRENT_USER | SESSION_USER;

grantStmt
    : GRANT privilegeList ON privilegeTarget TO granteeList (WITH GRANT OPTION)?
    ;
revokeStmt
    : REVOKE (GRANT OPTION FOR)? privilegeList ON privilegeTarget FROM granteeList
      dropBehavior?
    ;
privilegeList: ALL PRIVILEGES? | privilegeName (COMMA privilegeName)*;
privilegeName: SELECT | INSERT | UPDATE | DELETE | TRUNCATE | REFERENCES | CREATE | identifier;
privilegeTarget
    : TABLE? qualifiedNameList                                  #tablesTarget
    | ALL TABLES IN SCHEMA identifier (COMMA identifier)*       #allTablesTarget
    | SCHEMA identifier (COMMA identifier)*                     #schemaTarget
    | DATABASE identifier (COMMA identifier)*                   #databaseTarget
    ;
granteeList: grantee (COMMA grantee)*;
grantee: GROUP? roleSpec;

truncateStmt: TRUNCATE TABLE? ONLY? qualifiedNameList dropBehavior?;

copyStmt
    : COPY (qualifiedName columnNameList? | LPAREN selectStmt RPAREN)
      direction=(FROM | TO) (STDIN | STDOUT | stringLiteral)
      WITH? (optionList | copyLegacyOption*)
    ;
copyLegacyOption
    : BINARY | CSV | HEADER | FREEZE
    | DELIMITER AS? stringLiteral
    | NULL_P AS? stringLiteral
    ;

// Cursors: DECLARE runs the query, FETCH and MOVE step through its rows.
declareCursorStmt
    : DECLARE identifier BINARY? (NO SCROLL | SCROLL)? CURSOR (holding=(WITH | WITHOUT) HOLD)?
      FOR selectStmt
    ;
fetchStmt: (FETCH | MOVE) fetchDirection? (FROM | IN)? identifier;
fetchDirection
    : NEXT | PRIOR | FIRST | LAST | ALL
    | (ABSOLUTE | RELATIVE)? signedCount
    | (FORWARD | BACKWARD) (signedCount | ALL)?
    ;
signedCount: (PLUS | MINUS)? INTEGER_LITERAL;
closeCursorStmt: CLOSE (identifier | ALL);

// SQL-level prepared statements.
prepareStmt
    : PREPARE identifier (LPAREN typeName (COMMA typeName)* RPAREN)? AS
      (selectStmt | insertStmt | updateStmt | deleteStmt)
    ;
executeStmt: EXECUTE identifier (LPAREN exprList RPAREN)?;
deallocateStmt: DEALLOCATE PREPARE? (identifier | ALL);

vacuumStmt
    : VACUUM (FULL | FREEZE | VERBOSE | ANALYZE)* qualifiedNameList?
    | ANALYZE VERBOSE? qualifiedNameList?
    ;

// ---------------------------------------------------------------- session

transactionStmt
    : BEGIN (WORK | TRANSACTION)? transactionModeList?                 #beginStmt
    | START TRANSACTION transactionModeList?                            #startStmt
    | (COMMIT | END) (WORK | TRANSACTION)?                              #commitStmt
    | (ROLLBACK | ABORT) (WORK | TRANSACTION)?                          #rollbackStmt
    | SAVEPOINT identifier                                              #savepointStmt
    | RELEASE SAVEPOINT? identifier                                     #releaseStmt
    | ROLLBACK (WORK | TRANSACTION)? TO SAVEPOINT? identifier            #rollbackToStmt
    ;
transactionModeList: transactionMode (COMMA? transactionMode)*;
transactionMode
    : ISOLATION LEVEL isolationLevel      #isolationMode
    | READ ONLY                           #readOnlyMode
    | READ WRITE                          #readWriteMode
    | NOT? DEFERRABLE                     #deferrableMode
    ;
isolationLevel
    : SERIALIZABLE
    | REPEATABLE READ
    | READ COMMITTED
    | READ UNCOMMITTED
    ;

setStmt: SET scope=(SESSION | LOCAL)? setRest;
setRest
    : TRANSACTION transactionModeList                                    #setTransaction
    | SESSION CHARACTERISTICS AS TRANSACTION transactionModeList          #setSessionCharacteristics
    | TIME ZONE (LOCAL | DEFAULT | varValue)                              #setTimeZone
    | NAMES (DEFAULT | varValue)?                                         #setNames
    | SCHEMA varValue                                                     #setSchema
    | ROLE (NONE | identifier | stringLiteral)                            #setRole
    | SESSION AUTHORIZATION (DEFAULT | identifier | stringLiteral)        #setSessionAuthorization
    | CONSTRAINTS (ALL | qualifiedNameList) timing=(DEFERRED | IMMEDIATE) #setConstraints
    | CLUSTER SETTING varName (TO | EQ) (DEFAULT | varValue)             #setClusterSetting
    | varName (TO | EQ) (DEFAULT | varValue (COMMA varValue)*)           #setVariable
    ;
varName: identifier (DOT identifier)*;
varValue
    : stringLiteral
    | (PLUS | MINUS)? (INTEGER_LITERAL | NUMERIC_LITERAL)
    | identifier | ON | TRUE_P | FALSE_P | ALL | NULL_P
    ;

showStmt
    : SHOW (ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL | CLUSTER NODES | CLUSTER SETTING varName
           | RANGES (FROM TABLE qualifiedName)? | varName)
    ;
resetStmt
    : RESET (ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL | SESSION AUTHORIZATION | varName)
    ;

explainStmt: EXPLAIN (ANALYZE VERBOSE? | VERBOSE | optionList)? explainableStmt;

// name [=] value options of EXPLAIN (...), COPY ... WITH (...) and
// CREATE TABLE ... WITH (...).
optionList: LPAREN genericOption (COMMA genericOption)* RPAREN;
genericOption: colLabel (EQ? varValue)?;
explainableStmt: selectStmt | insertStmt | updateStmt | deleteStmt;

// ---------------------------------------------------------------- expressions

// Expressions use ANTLR's left-recursive rules (precedence climbing): the
// earlier an alternative, the tighter it binds. The order follows the
// precedence table of PostgreSQL's gram.y. Comparisons and BETWEEN/IN/LIKE
// are non-associative there; the transform rejects `a = b = c` and
// `a LIKE b LIKE c` as PostgreSQL's grammar does.
expr
    : operatorExpr                                                          #operandExpr
    | expr predicateSuffix                                                  #predicateExpr
    | expr comparisonOp expr                                                #comparisonExpr
    | expr comparisonOp quantifier=(ANY | SOME | ALL) LPAREN selectStmt RPAREN  #quantifiedComparisonExpr
    | expr comparisonOp quantifier=(ANY | SOME | ALL)
      LPAREN ARRAY LBRACKET exprList RBRACKET RPAREN                         #quantifiedArrayExpr
    | expr comparisonOp quantifier=(ANY | SOME | ALL) LPAREN expr RPAREN    #quantifiedExprExpr
    | expr isSuffix                                                         #isExpr
    | expr IS NOT? DISTINCT FROM expr                                       #isDistinctFromExpr
    | NOT expr                                                              #notExpr
    | expr AND expr                                                         #andExpr
    | expr OR expr                                                          #orExpr
    ;
isSuffix
    : IS NOT? (NULL_P | TRUE_P | FALSE_P | UNKNOWN)
    | ISNULL
    | NOTNULL
    ;
comparisonOp: EQ | NE | LT | LE | GT | GE;
// The operators OPERATOR(pg_catalog.op) may name.
qualifiedOp
    : EQ | NE | LT | LE | GT | GE | PLUS | MINUS | STAR | SLASH | PERCENT | CARET | CONCAT
    | TILDE | TILDE_STAR | NOT_TILDE | NOT_TILDE_STAR | ARROW | LONG_ARROW | HASH_ARROW
    | HASH_LONG_ARROW | CONTAINS | CONTAINED_BY | QUESTION | QUESTION_PIPE | QUESTION_AMP
    ;
predicateSuffix
    : NOT? BETWEEN SYMMETRIC? operatorExpr AND operatorExpr                 #betweenPredicate
    | NOT? IN LPAREN selectStmt RPAREN                                        #inSubqueryPredicate
    | NOT? IN LPAREN exprList RPAREN                                          #inListPredicate
    | NOT? op=(LIKE | ILIKE) operatorExpr (ESCAPE operatorExpr)?              #likePredicate
    ;
// The operators that bind tighter than BETWEEN/IN/LIKE, as one
// left-recursive rule (ANTLR turns it into precedence climbing, far cheaper
// than a rule per level). Alternatives bind tighter the earlier they come:
// '::', unary minus, AT TIME ZONE, '^', '* / %', '+ -', and PostgreSQL's
// "Op" level (||, ~ and friends). All binary ones are left-associative.
operatorExpr
    : primaryExpr                                                               #primaryOperand
    | operatorExpr LBRACKET expr RBRACKET                                       #subscriptOperand
    | operatorExpr TYPECAST typeName                                            #castOperand
    | operatorExpr COLLATE (identifier DOT)? (identifier | DEFAULT)             #collateOperand
    | op=(MINUS | PLUS) operatorExpr                                            #unaryOperand
    | operatorExpr AT TIME ZONE operatorExpr                                    #atTimeZoneOperand
    | operatorExpr op=CARET operatorExpr                                        #binaryOperand
    | operatorExpr op=(STAR | SLASH | PERCENT) operatorExpr                     #binaryOperand
    | operatorExpr op=(PLUS | MINUS) operatorExpr                               #binaryOperand
    | operatorExpr op=(CONCAT | TILDE | TILDE_STAR | NOT_TILDE | NOT_TILDE_STAR | ARROW
                       | LONG_ARROW | HASH_ARROW | HASH_LONG_ARROW | CONTAINS | CONTAINED_BY
                       | QUESTION | QUESTION_PIPE | QUESTION_AMP) operatorExpr
                                                                                #binaryOperand
    | operatorExpr op=OPERATOR LPAREN (identifier DOT)? qualifiedOp RPAREN operatorExpr
                                                                                #qualifiedOperand
    ;

primaryExpr
    : literal                                                 #literalExpr
    | PARAM                                                   #paramExpr
    | INTERVAL typeModifiers? stringLiteral intervalQualifier?  #intervalLiteralExpr
    | typeName stringLiteral                                  #typedLiteralExpr
    | CAST LPAREN expr AS typeName RPAREN                     #castFunctionExpr
    | CASE expr? whenClause+ (ELSE expr)? END                 #caseExpr
    | EXISTS LPAREN selectStmt RPAREN                         #existsExpr
    | ARRAY LBRACKET exprList? RBRACKET                       #arrayConstructorExpr
    | ARRAY LPAREN selectStmt RPAREN                          #arraySubqueryExpr
    | LPAREN selectStmt RPAREN                                #subqueryExpr
    | LPAREN expr RPAREN                                      #parenExpr
    | EXTRACT LPAREN extractField FROM expr RPAREN            #extractExpr
    | POSITION LPAREN operatorExpr IN operatorExpr RPAREN     #positionExpr
    | sqlValueFunction                                        #sqlValueFunctionExpr
    | functionName LPAREN functionArgs? RPAREN overClause?    #functionCallExpr
    | identifier (DOT identifier)*                            #columnRefExpr
    ;
literal: INTEGER_LITERAL | NUMERIC_LITERAL | stringLiteral | TRUE_P | FALSE_P | NULL_P;
whenClause: WHEN expr THEN expr;
functionName: identifier (DOT identifier)? | LEFT | RIGHT | CURRENT_SCHEMA;  // current_schema()
functionArgs: STAR | (ALL | DISTINCT)? functionArg (COMMA functionArg)* orderByClause?;
// make_interval(days => 3): an argument by its parameter's name.
functionArg: (identifier NAMED_ARG)? expr;
// f(...) OVER (PARTITION BY ... ORDER BY ... frame): a window function.
overClause: OVER LPAREN (PARTITION BY exprList)? orderByClause? frameClause? RPAREN;
frameClause
    : frameMode=(ROWS | RANGE) (frameBound | BETWEEN frameBound AND frameBound)
    ;
frameBound
    : UNBOUNDED PRECEDING                                     #unboundedPreceding
    | UNBOUNDED FOLLOWING                                     #unboundedFollowing
    | CURRENT ROW                                             #currentRow
    | operatorExpr PRECEDING                                  #offsetPreceding
    | operatorExpr FOLLOWING                                  #offsetFollowing
    ;
extractField: identifier | stringLiteral;
stringLiteral: STRING | ESCAPE_STRING | DOLLAR_STRING;
sqlValueFunction
    : CURRENT_DATE | CURRENT_TIME | CURRENT_TIMESTAMP | LOCALTIME | LOCALTIMESTAMP
    | CURRENT_USER | SESSION_USER | USER | CURRENT_CATALOG | CURRENT_SCHEMA
    ;
exprList: expr (COMMA expr)*;

// ---------------------------------------------------------------- names and types

// int[], int[3][], int ARRAY, int ARRAY[3]: one-dimensional arrays (sizes
// are ignored, as PostgreSQL ignores them).
typeName
    : simpleTypeName (LBRACKET INTEGER_LITERAL? RBRACKET)*
    | simpleTypeName ARRAY (LBRACKET INTEGER_LITERAL RBRACKET)?
    ;
simpleTypeName
    : INTERVAL typeModifiers? intervalQualifier?                          #intervalType
    | DOUBLE PRECISION                                                    #doublePrecisionType
    | CHARACTER VARYING? typeModifiers?                                   #characterType
    | identifier (DOT identifier)? typeModifiers? (tz=(WITH | WITHOUT) TIME ZONE)?  #namedType
    ;
typeModifiers: LPAREN INTEGER_LITERAL (COMMA INTEGER_LITERAL)* RPAREN;
// INTERVAL's fields: INTERVAL '1' DAY, INTERVAL DAY TO SECOND(3).
intervalQualifier
    : from=YEAR (TO to=MONTH)?
    | from=MONTH
    | from=DAY (TO (to=HOUR | to=MINUTE | to=SECOND secondPrecision?))?
    | from=HOUR (TO (to=MINUTE | to=SECOND secondPrecision?))?
    | from=MINUTE (TO to=SECOND secondPrecision?)?
    | from=SECOND secondPrecision?
    ;
secondPrecision: LPAREN INTEGER_LITERAL RPAREN;

qualifiedName: identifier (DOT identifier)*;
qualifiedNameList: qualifiedName (COMMA qualifiedName)*;
columnNameList: LPAREN identifier (COMMA identifier)* RPAREN;

identifier: IDENTIFIER | QUOTED_IDENTIFIER | nonReservedKeyword;
// After AS any keyword will do, as in PostgreSQL.
colLabel: identifier | reservedKeyword;

// Keywords that remain usable as names. The transform lower-cases them.
nonReservedKeyword
    : ABORT | ABSOLUTE | ACTION | ADD | ALTER | AT | BACKWARD | BEGIN | BY | CASCADE
    | CHARACTERISTICS | CLOSE | CLUSTER | CURSOR | DEALLOCATE | DECLARE | EXECUTE | FETCH | FORWARD
    | CONSTRAINTS | DEFERRED | IMMEDIATE | INITIALLY
    | HOLD | MOVE | NEXT | PREPARE | PRIOR | RELATIVE | SCROLL
    | BINARY | COLUMN | COMMIT | COMMITTED | CONFLICT | COPY | CSV | DATA | DATABASE
    | DEFERRABLE | DELETE | DELIMITER | DOUBLE | ESCAPE | EXPLAIN | FIRST | FREEZE
    | HEADER | IF | INCLUDE | INDEX | INSERT | ISOLATION
    | KEY | LAST | LEVEL | LOCAL | LOCKED | NAMES | NO | NODES | NOTHING | NOWAIT | NULLS
    | POSITION | PRECISION | READ | RECURSIVE | RELEASE | RENAME | REPEATABLE | RESET
    | RESTRICT | ROLLBACK | ROW | ROWS | SAVEPOINT | SCHEMA | SERIALIZABLE | SESSION | SET | SETTING | OF | SYSTEM
    | SHARE | SHOW | SKIP_P | SPLIT | START | STDIN | STDOUT | STORING | TIME | TRANSACTION
    | TRUNCATE | TYPE | UNCOMMITTED | UNKNOWN | UPDATE | VACUUM | VALUES | VARYING | WORK
    | WRITE | ZONE
    | COMMENT | CONNECTION | ENCRYPTED | NONE | OPERATOR | OPTION | OVER | PARTITION | RANGE | RANGES | UNBOUNDED
    | PRECEDING | FOLLOWING | CURRENT | PASSWORD | PRIVILEGES | ROLE | TABLES | UNTIL
    | VALID | DAY | HOUR | INTERVAL | MINUTE | MONTH | SECOND | YEAR
    ;
reservedKeyword
    : ALL | ANALYZE | AND | ANY | ARRAY | AS | ASC | BETWEEN | CASE | CAST | CHARACTER | CHECK
    | COLLATE
    | CONSTRAINT | CREATE | CROSS | CURRENT_CATALOG | CURRENT_DATE | CURRENT_SCHEMA
    | CURRENT_TIME | CURRENT_TIMESTAMP | CURRENT_USER | DEFAULT | DESC | DISTINCT | DO
    | DROP | ELSE | END | EXCEPT | EXISTS | EXTRACT | FALSE_P | FOR | FOREIGN | FROM | FULL
    | GRANT | GROUP | HAVING | ILIKE | IN | INNER | INTERSECT | INTO | IS | ISNULL | JOIN | LEFT
    | LIKE | LIMIT | LOCALTIME | LOCALTIMESTAMP | NATURAL | NOT | NOTNULL | NULL_P
    | OFFSET | ON | ONLY | OR | ORDER | OUTER | PRIMARY | REFERENCES | RETURNING | RIGHT
    | SELECT | SESSION_USER | SOME | SYMMETRIC | TABLE | THEN | TO | TRUE_P | UNION
    | UNIQUE | USER | USING | VERBOSE | WHEN | WHERE | WITH | WITHOUT
    ;
