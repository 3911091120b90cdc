// CairnDB's SQL lexer: the PostgreSQL dialect, keywords case-insensitive.
//
// Only words the grammar needs are keywords; type names such as int, text or
// date are plain identifiers resolved by the transform, as in PostgreSQL.
// Keywords must stay ahead of IDENTIFIER. Every keyword that PostgreSQL lets
// users write as a column name must also be listed in the parser rule
// nonReservedKeyword.
lexer grammar CairnSqlLexer;

ABORT: A B O R T;
ABSOLUTE: A B S O L U T E;
ACTION: A C T I O N;
ADD: A D D;
ALL: A L L;
ALTER: A L T E R;
ANALYZE: A N A L Y Z E | A N A L Y S E;
AND: A N D;
ANY: A N Y;
ARRAY: A R R A Y;
AS: A S;
ASC: A S C;
AT: A T;
AUTHORIZATION: A U T H O R I Z A T I O N;
BACKWARD: B A C K W A R D;
BEGIN: B E G I N;
BETWEEN: B E T W E E N;
BINARY: B I N A R Y;
BY: B Y;
CASCADE: C A S C A D E;
CASE: C A S E;
CAST: C A S T;
CHARACTER: C H A R A C T E R;
CHARACTERISTICS: C H A R A C T E R I S T I C S;
CHECK: C H E C K;
CLOSE: C L O S E;
COLLATE: C O L L A T E;
COLUMN: C O L U M N;
COMMENT: C O M M E N T;
COMMIT: C O M M I T;
COMMITTED: C O M M I T T E D;
CONFLICT: C O N F L I C T;
CONNECTION: C O N N E C T I O N;
CONSTRAINT: C O N S T R A I N T;
COPY: C O P Y;
CREATE: C R E A T E;
CROSS: C R O S S;
CSV: C S V;
CURRENT: C U R R E N T;
CURRENT_CATALOG: C U R R E N T '_' C A T A L O G;
CURRENT_DATE: C U R R E N T '_' D A T E;
CURRENT_SCHEMA: C U R R E N T '_' S C H E M A;
CURRENT_TIME: C U R R E N T '_' T I M E;
CURRENT_TIMESTAMP: C U R R E N T '_' T I M E S T A M P;
CURRENT_USER: C U R R E N T '_' U S E R;
CURSOR: C U R S O R;
DATA: D A T A;
DATABASE: D A T A B A S E;
DEALLOCATE: D E A L L O C A T E;
DECLARE: D E C L A R E;
DEFAULT: D E F A U L T;
DEFERRABLE: D E F E R R A B L E;
DELETE: D E L E T E;
DELIMITER: D E L I M I T E R;
DESC: D E S C;
DISTINCT: D I S T I N C T;
DO: D O;
DOUBLE: D O U B L E;
DROP: D R O P;
ELSE: E L S E;
ENCRYPTED: E N C R Y P T E D;
END: E N D;
ESCAPE: E S C A P E;
EXCEPT: E X C E P T;
EXECUTE: E X E C U T E;
EXISTS: E X I S T S;
EXPLAIN: E X P L A I N;
EXTRACT: E X T R A C T;
FALSE_P: F A L S E;
FETCH: F E T C H;
FIRST: F I R S T;
FOLLOWING: F O L L O W I N G;
FOR: F O R;
FOREIGN: F O R E I G N;
FORWARD: F O R W A R D;
FREEZE: F R E E Z E;
FROM: F R O M;
FULL: F U L L;
GRANT: G R A N T;
GROUP: G R O U P;
HAVING: H A V I N G;
HEADER: H E A D E R;
HOLD: H O L D;
IF: I F;
ILIKE: I L I K E;
IN: I N;
INCLUDE: I N C L U D E;
INDEX: I N D E X;
INNER: I N N E R;
INSERT: I N S E R T;
INTERSECT: I N T E R S E C T;
INTO: I N T O;
IS: I S;
ISNULL: I S N U L L;
ISOLATION: I S O L A T I O N;
JOIN: J O I N;
KEY: K E Y;
LAST: L A S T;
LEFT: L E F T;
LEVEL: L E V E L;
LIKE: L I K E;
LIMIT: L I M I T;
LOCAL: L O C A L;
LOCALTIME: L O C A L T I M E;
LOCALTIMESTAMP: L O C A L T I M E S T A M P;
LOCKED: L O C K E D;
MOVE: M O V E;
NAMES: N A M E S;
NATURAL: N A T U R A L;
NEXT: N E X T;
NO: N O;
NONE: N O N E;
NOT: N O T;
NOTHING: N O T H I N G;
NOTNULL: N O T N U L L;
NOWAIT: N O W A I T;
NULLS: N U L L S;
NULL_P: N U L L;
OFFSET: O F F S E T;
ON: O N;
ONLY: O N L Y;
OPERATOR: O P E R A T O R;
OPTION: O P T I O N;
OR: O R;
ORDER: O R D E R;
OUTER: O U T E R;
OVER: O V E R;
PARTITION: P A R T I T I O N;
PASSWORD: P A S S W O R D;
POSITION: P O S I T I O N;
PRECEDING: P R E C E D I N G;
PRECISION: P R E C I S I O N;
PREPARE: P R E P A R E;
PRIMARY: P R I M A R Y;
PRIOR: P R I O R;
PRIVILEGES: P R I V I L E G E S;
RANGE: R A N G E;
READ: R E A D;
RECURSIVE: R E C U R S I V E;
REFERENCES: R E F E R E N C E S;
RELATIVE: R E L A T I V E;
RELEASE: R E L E A S E;
RENAME: R E N A M E;
REPEATABLE: R E P E A T A B L E;
RESET: R E S E T;
RESTRICT: R E S T R I C T;
RETURNING: R E T U R N I N G;
REVOKE: R E V O K E;
RIGHT: R I G H T;
ROLE: R O L E;
ROLLBACK: R O L L B A C K;
ROW: R O W;
ROWS: R O W S;
SAVEPOINT: S A V E P O I N T;
SCHEMA: S C H E M A;
SCROLL: S C R O L L;
SELECT: S E L E C T;
SERIALIZABLE: S E R I A L I Z A B L E;
SESSION: S E S S I O N;
SESSION_USER: S E S S I O N '_' U S E R;
SET: S E T;
SHARE: S H A R E;
SHOW: S H O W;
SKIP_P: S K I P;
SOME: S O M E;
START: S T A R T;
STDIN: S T D I N;
STDOUT: S T D O U T;
STORING: S T O R I N G;
SYMMETRIC: S Y M M E T R I C;
TABLE: T A B L E;
TABLES: T A B L E S;
THEN: T H E N;
TIME: T I M E;
TO: T O;
TRANSACTION: T R A N S A C T I O N;
TRUE_P: T R U E;
TRUNCATE: T R U N C A T E;
TYPE: T Y P E;
UNBOUNDED: U N B O U N D E D;
UNCOMMITTED: U N C O M M I T T E D;
UNION: U N I O N;
UNIQUE: U N I Q U E;
UNKNOWN: U N K N O W N;
UNTIL: U N T I L;
UPDATE: U P D A T E;
USER: U S E R;
USING: U S I N G;
VACUUM: V A C U U M;
VALID: V A L I D;
VALUES: V A L U E S;
VARYING: V A R Y I N G;
VERBOSE: V E R B O S E;
WHEN: W H E N;
WHERE: W H E R E;
WITH: W I T H;
WITHOUT: W I T H O U T;
WORK: W O R K;
WRITE: W R I T E;
ZONE: Z O N E;

// Operators and punctuation.
SEMI: ';';
COMMA: ',';
DOT: '.';
LPAREN: '(';
RPAREN: ')';
LBRACKET: '[';
RBRACKET: ']';
TYPECAST: '::';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';
CARET: '^';
EQ: '=';
NE: '<>' | '!=';
LE: '<=';
GE: '>=';
LT: '<';
GT: '>';
CONCAT: '||';
TILDE: '~';
TILDE_STAR: '~*';
NOT_TILDE: '!~';
NOT_TILDE_STAR: '!~*';
ARROW: '->';
LONG_ARROW: '->>';
HASH_ARROW: '#>';
HASH_LONG_ARROW: '#>>';
CONTAINS: '@>';
CONTAINED_BY: '<@';
QUESTION: '?';
QUESTION_PIPE: '?|';
QUESTION_AMP: '?&';

// Literals. A numeric literal that is an integer fitting int64 becomes an
// integer constant in the transform, anything else a numeric constant.
PARAM: '$' DIGIT+;
INTEGER_LITERAL: DIGIT+;
NUMERIC_LITERAL: (DIGIT+ '.' DIGIT* | '.' DIGIT+) EXPONENT? | DIGIT+ EXPONENT;

// 'standard' strings: '' is a quote, backslash is an ordinary character.
// Two strings separated only by whitespace containing a newline are one.
STRING: STRING_BODY (CONTINUATION STRING_BODY)*;
// E'...' strings with backslash escapes.
ESCAPE_STRING: [eE] ESCAPE_BODY (CONTINUATION ESCAPE_BODY)*;
DOLLAR_STRING: '$$' .*? '$$';

IDENTIFIER: IDENT_START IDENT_CONT*;
QUOTED_IDENTIFIER: '"' (~'"' | '""')* '"';

// Never part of the grammar: the parser fails on them, and the driver turns
// that failure into PostgreSQL's message for the unterminated token.
UNTERMINATED_STRING: '\'' (~'\'' | '\'\'')*;
UNTERMINATED_ESCAPE_STRING: [eE] '\'' (~['\\] | '\'\'' | '\\' .)*;
UNTERMINATED_QUOTED_IDENTIFIER: '"' (~'"' | '""')*;
UNTERMINATED_DOLLAR_STRING: '$$' (~'$' | '$' ~'$')*;

WHITESPACE: [ \t\r\n\f\u000B]+ -> skip;
LINE_COMMENT: '--' ~[\r\n]* -> skip;
// Block comments nest, as in PostgreSQL: inside one, "/*" opens another and
// the first "*/" closes the innermost. An unterminated one is left to lex
// as '/' '*', which the driver reports.
BLOCK_COMMENT
    : '/*' (BLOCK_COMMENT | '/'+ (BLOCK_COMMENT | ~[*/]) | '*'+ ~[*/] | ~[*/])* '*'+ '/' -> skip
    ;

// Anything else: the parser reports it as a syntax error.
ERROR_CHAR: .;

fragment STRING_BODY: '\'' (~'\'' | '\'\'')* '\'';
fragment ESCAPE_BODY: '\'' (~['\\] | '\'\'' | '\\' .)* '\'';
fragment CONTINUATION: [ \t\f]* [\r\n] [ \t\r\n\f]*;
fragment IDENT_START: [a-zA-Z_\u0080-\u{10FFFF}];
fragment IDENT_CONT: [a-zA-Z_0-9$\u0080-\u{10FFFF}];
fragment DIGIT: [0-9];
fragment EXPONENT: [eE] [+-]? DIGIT+;

fragment A: [aA];
fragment B: [bB];
fragment C: [cC];
fragment D: [dD];
fragment E: [eE];
fragment F: [fF];
fragment G: [gG];
fragment H: [hH];
fragment I: [iI];
fragment J: [jJ];
fragment K: [kK];
fragment L: [lL];
fragment M: [mM];
fragment N: [nN];
fragment O: [oO];
fragment P: [pP];
fragment Q: [qQ];
fragment R: [rR];
fragment S: [sS];
fragment T: [tT];
fragment U: [uU];
fragment V: [vV];
fragment W: [wW];
fragment X: [xX];
fragment Y: [yY];
fragment Z: [zZ];
