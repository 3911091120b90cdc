// Type names: canonicalised to PostgreSQL's internal spellings; whether the
// type exists is decided later by ast::ResolveType.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "parser/transformer.h"

namespace cairn::parser {

ast::TypeName Transformer::TransformTypeName(P::TypeNameContext* ctx) {
  ast::TypeName type = TransformSimpleTypeName(ctx->simpleTypeName());
  type.position = Pos(ctx);
  type.array = ctx->ARRAY() != nullptr || !ctx->LBRACKET().empty();
  return type;
}

ast::TypeName Transformer::TransformSimpleTypeName(P::SimpleTypeNameContext* ctx) {
  ast::TypeName type;
  type.position = Pos(ctx);
  P::TypeModifiersContext* mods = nullptr;
  bool sql_float = false;  // unquoted FLOAT[(p)]
  if (auto* interval = dynamic_cast<P::IntervalTypeContext*>(ctx)) {
    return TransformIntervalType(interval, interval->typeModifiers(), interval->intervalQualifier());
  }
  if (dynamic_cast<P::DoublePrecisionTypeContext*>(ctx) != nullptr) {
    type.name = "float8";
    return type;
  }
  if (auto* c = dynamic_cast<P::CharacterTypeContext*>(ctx)) {
    type.name = c->VARYING() ? "varchar" : "bpchar";
    mods = c->typeModifiers();
    if (mods == nullptr && !c->VARYING()) type.modifiers.push_back(1);  // CHARACTER is CHAR(1)
  } else {
    auto* named = dynamic_cast<P::NamedTypeContext*>(ctx);
    std::vector<P::IdentifierContext*> parts = named->identifier();
    const std::string written = Ident(parts.back());
    if (parts.size() == 2) type.schema = Ident(parts[0]);
    // Only unquoted names have aliases: "int" (quoted) is no type, as in
    // PostgreSQL, and "char" is PostgreSQL's one-byte type, not CHAR(1).
    const bool quoted = parts.back()->QUOTED_IDENTIFIER() != nullptr;
    const bool builtin = type.schema.empty() || type.schema == "pg_catalog";
    type.name = builtin && !quoted ? ast::CanonicalTypeName(written) : written;
    sql_float = builtin && !quoted && written == "float";
    mods = named->typeModifiers();
    if (type.name == "bpchar" && written == "char" && mods == nullptr) type.modifiers.push_back(1);
    if (named->tz != nullptr) {
      const bool with_tz = named->tz->getType() == P::WITH;
      if (type.name == "timestamp") {
        type.name = with_tz ? "timestamptz" : "timestamp";
      } else if (type.name == "time") {
        type.name = with_tz ? "timetz" : "time";
      } else {
        SyntaxError(absl::StrCat("syntax error at or near \"", named->tz->getText(), "\""),
                    named->tz);
      }
    }
  }
  if (mods != nullptr) {
    for (auto* value : mods->INTEGER_LITERAL()) {
      int32_t v;
      if (!absl::SimpleAtoi(value->getText(), &v)) {
        Fail(MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrCat("type modifier ", value->getText(), " is out of range"),
                       Pos(value)));
      }
      type.modifiers.push_back(v);
    }
  }
  // FLOAT(p) picks REAL or DOUBLE PRECISION by binary precision, as in
  // PostgreSQL's grammar.
  if (sql_float) {
    if (type.modifiers.empty()) {
      type.name = "float8";
    } else {
      const int32_t p = type.modifiers[0];
      if (type.modifiers.size() > 1 || p < 1) {
        Fail(MakeError(ErrorCode::kInvalidParameterValue,
                       "precision for type float must be at least 1 bit", type.position));
      }
      if (p > 53) {
        Fail(MakeError(ErrorCode::kInvalidParameterValue,
                       "precision for type float must be less than 54 bits", type.position));
      }
      type.name = p <= 24 ? "float4" : "float8";
      type.modifiers.clear();
    }
  }
  return type;
}

ast::TypeName Transformer::TransformIntervalType(antlr4::ParserRuleContext* ctx,
                                                 P::TypeModifiersContext* modifiers,
                                                 P::IntervalQualifierContext* qualifier) {
  ast::TypeName type;
  type.position = Pos(ctx);
  type.name = "interval";
  P::SecondPrecisionContext* second_precision = nullptr;
  if (qualifier != nullptr) {
    using F = IntervalFields;
    const size_t from = qualifier->from->getType();
    const size_t to = qualifier->to != nullptr ? qualifier->to->getType() : 0;
    auto is = [&](size_t f, size_t t) { return from == f && to == t; };
    if (is(P::YEAR, 0)) type.interval_fields = F::kYear;
    else if (is(P::YEAR, P::MONTH)) type.interval_fields = F::kYearToMonth;
    else if (is(P::MONTH, 0)) type.interval_fields = F::kMonth;
    else if (is(P::DAY, 0)) type.interval_fields = F::kDay;
    else if (is(P::DAY, P::HOUR)) type.interval_fields = F::kDayToHour;
    else if (is(P::DAY, P::MINUTE)) type.interval_fields = F::kDayToMinute;
    else if (is(P::DAY, P::SECOND)) type.interval_fields = F::kDayToSecond;
    else if (is(P::HOUR, 0)) type.interval_fields = F::kHour;
    else if (is(P::HOUR, P::MINUTE)) type.interval_fields = F::kHourToMinute;
    else if (is(P::HOUR, P::SECOND)) type.interval_fields = F::kHourToSecond;
    else if (is(P::MINUTE, 0)) type.interval_fields = F::kMinute;
    else if (is(P::MINUTE, P::SECOND)) type.interval_fields = F::kMinuteToSecond;
    else type.interval_fields = F::kSecond;
    second_precision = qualifier->secondPrecision();
  }
  // INTERVAL(p) and SECOND(p) both give the seconds' precision.
  antlr4::tree::TerminalNode* precision =
      second_precision != nullptr ? second_precision->INTEGER_LITERAL()
      : modifiers != nullptr && modifiers->INTEGER_LITERAL().size() == 1
          ? modifiers->INTEGER_LITERAL(0)
          : nullptr;
  if (modifiers != nullptr && modifiers->INTEGER_LITERAL().size() > 1) {
    Fail(MakeError(ErrorCode::kSyntaxError, "syntax error at or near \",\"", Pos(modifiers)));
  }
  if (precision != nullptr) {
    int32_t p;
    if (!absl::SimpleAtoi(precision->getText(), &p)) {
      Fail(MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("type modifier ", precision->getText(), " is out of range"),
                     Pos(precision)));
    }
    type.modifiers.push_back(p);
  }
  return type;
}

}  // namespace cairn::parser
