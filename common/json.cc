#include "common/json.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/numeric.h"

namespace cairn::json {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::StatusOr<Value> ParseDocument() {
    CAIRN_ASSIGN_OR_RETURN(Value v, ParseValue(0));
    SkipSpace();
    if (pos_ != text_.size()) return Fail("Expected end of input, but found \"" + Token() + "\".");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 6400;

  absl::Status Fail(const std::string& detail) const {
    return WithDetail(MakeError(ErrorCode::kInvalidTextRepresentation,
                                "invalid input syntax for type json"),
                      detail);
  }
  std::string Token() const {
    size_t end = pos_;
    while (end < text_.size() && end - pos_ < 16 && text_[end] != ' ' && text_[end] != ',') ++end;
    return std::string(text_.substr(pos_, std::max<size_t>(end - pos_, 1)));
  }
  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::StatusOr<Value> ParseValue(int depth) {
    if (depth > kMaxDepth) {
      return MakeError(ErrorCode::kProgramLimitExceeded, "stack depth limit exceeded");
    }
    SkipSpace();
    const size_t begin = pos_;
    CAIRN_ASSIGN_OR_RETURN(Value v, ParseBareValue(depth));
    v.begin = begin;
    v.end = pos_;
    return v;
  }

  absl::StatusOr<Value> ParseBareValue(int depth) {
    if (pos_ >= text_.size()) return Fail("The input string ended unexpectedly.");
    const char c = text_[pos_];
    if (c == '{') return ParseObject(depth);
    if (c == '[') return ParseArray(depth);
    if (c == '"') {
      CAIRN_ASSIGN_OR_RETURN(std::string s, ParseString());
      return Value::String(std::move(s));
    }
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
    if (Consume("true")) return Value::Bool(true);
    if (Consume("false")) return Value::Bool(false);
    if (Consume("null")) return Value::Null();
    return Fail("Token \"" + Token() + "\" is invalid.");
  }

  absl::StatusOr<Value> ParseNumber() {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t n = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_, ++n;
      return n;
    };
    const size_t int_start = pos_;
    if (digits() == 0) return Fail("Token \"" + std::string(text_.substr(start, 1)) + "\" is invalid.");
    if (text_[int_start] == '0' && pos_ - int_start > 1) {
      pos_ = start;
      return Fail("Token \"" + Token() + "\" is invalid.");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) {
        pos_ = start;
        return Fail("Token \"" + Token() + "\" is invalid.");
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) {
        pos_ = start;
        return Fail("Token \"" + Token() + "\" is invalid.");
      }
    }
    return Value::Number(std::string(text_.substr(start, pos_ - start)));
  }

  absl::StatusOr<std::string> ParseString() {
    ++pos_;  // the opening quote
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      const char c = text_[pos_];
      if (static_cast<unsigned char>(c) < 0x20) {
        return Fail(absl::StrFormat("Character with value 0x%02x must be escaped.", c));
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (++pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          CAIRN_ASSIGN_OR_RETURN(uint32_t code, Hex4());
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (!Consume("\\u")) return Fail("Unicode high surrogate must not follow a high surrogate.");
            CAIRN_ASSIGN_OR_RETURN(uint32_t low, Hex4());
            if (low < 0xDC00 || low > 0xDFFF) return Fail("Unicode low surrogate must follow a high surrogate.");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return Fail("Unicode low surrogate must follow a high surrogate.");
          }
          if (code == 0) {
            return WithDetail(MakeError(ErrorCode::kUntranslatableCharacter,
                                        "unsupported Unicode escape sequence"),
                              "\\u0000 cannot be converted to text.");
          }
          AppendUtf8(code, &out);
          break;
        }
        default:
          return Fail(absl::StrFormat("Escape sequence \"\\%c\" is invalid.", e));
      }
    }
    if (pos_ >= text_.size()) return Fail("The input string ended unexpectedly.");
    ++pos_;  // the closing quote
    return out;
  }

  absl::StatusOr<uint32_t> Hex4() {
    if (pos_ + 4 > text_.size()) return Fail("\"\\u\" must be followed by four hexadecimal digits.");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_ + i];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= h - '0';
      else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
      else return Fail("\"\\u\" must be followed by four hexadecimal digits.");
    }
    pos_ += 4;
    return v;
  }

  static void AppendUtf8(uint32_t code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  absl::StatusOr<Value> ParseArray(int depth) {
    ++pos_;
    std::vector<Value> items;
    SkipSpace();
    if (Consume("]")) return Value::Array(std::move(items));
    for (;;) {
      CAIRN_ASSIGN_OR_RETURN(Value v, ParseValue(depth + 1));
      items.push_back(std::move(v));
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("]")) return Value::Array(std::move(items));
      if (pos_ >= text_.size()) return Fail("The input string ended unexpectedly.");
      return Fail("Expected \",\" or \"]\", but found \"" + Token() + "\".");
    }
  }

  absl::StatusOr<Value> ParseObject(int depth) {
    ++pos_;
    std::vector<std::pair<std::string, Value>> members;
    SkipSpace();
    if (Consume("}")) return Value::Object(std::move(members));
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("The input string ended unexpectedly.");
      if (text_[pos_] != '"') return Fail("Expected string, but found \"" + Token() + "\".");
      CAIRN_ASSIGN_OR_RETURN(std::string key, ParseString());
      SkipSpace();
      if (!Consume(":")) {
        if (pos_ >= text_.size()) return Fail("The input string ended unexpectedly.");
        return Fail("Expected \":\", but found \"" + Token() + "\".");
      }
      CAIRN_ASSIGN_OR_RETURN(Value v, ParseValue(depth + 1));
      members.emplace_back(std::move(key), std::move(v));
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("}")) return Value::Object(std::move(members));
      if (pos_ >= text_.size()) return Fail("The input string ended unexpectedly.");
      return Fail("Expected \",\" or \"}\", but found \"" + Token() + "\".");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// jsonb orders keys by length, then bytewise.
bool KeyLess(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

void Write(const Value& v, std::string* out) {
  switch (v.kind) {
    case Value::Kind::kNull: *out += "null"; return;
    case Value::Kind::kBool: *out += v.boolean ? "true" : "false"; return;
    case Value::Kind::kNumber: *out += v.text; return;
    case Value::Kind::kString: *out += Quote(v.text); return;
    case Value::Kind::kArray:
      *out += '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) *out += ", ";
        Write(v.items[i], out);
      }
      *out += ']';
      return;
    case Value::Kind::kObject:
      *out += '{';
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i > 0) *out += ", ";
        *out += Quote(v.members[i].first);
        *out += ": ";
        Write(v.members[i].second, out);
      }
      *out += '}';
      return;
  }
}


}  // namespace

Value Value::Bool(bool b) {
  Value v;
  v.kind = Kind::kBool;
  v.boolean = b;
  return v;
}
Value Value::Number(std::string digits) {
  Value v;
  v.kind = Kind::kNumber;
  v.text = std::move(digits);
  return v;
}
Value Value::String(std::string s) {
  Value v;
  v.kind = Kind::kString;
  v.text = std::move(s);
  return v;
}
Value Value::Array(std::vector<Value> items) {
  Value v;
  v.kind = Kind::kArray;
  v.items = std::move(items);
  return v;
}
Value Value::Object(std::vector<std::pair<std::string, Value>> members) {
  Value v;
  v.kind = Kind::kObject;
  v.members = std::move(members);
  return v;
}

const Value* Value::Find(std::string_view key) const {
  const Value* found = nullptr;
  for (const auto& [k, v] : members) {
    if (k == key) found = &v;
  }
  return found;
}

absl::StatusOr<Value> Parse(std::string_view text) { return Parser(text).ParseDocument(); }

Value Normalize(Value v) {
  if (v.kind == Value::Kind::kNumber) {
    // jsonb keeps numbers as numeric: 1e2 is 100, -0 is 0.
    auto n = Numeric::Parse(v.text);
    if (n.ok()) v.text = n->ToString();
  }
  for (Value& item : v.items) item = Normalize(std::move(item));
  if (v.kind == Value::Kind::kObject) {
    // The last of duplicate keys wins; then jsonb's key order.
    std::vector<std::pair<std::string, Value>> unique;
    for (auto& [k, m] : v.members) {
      auto it = std::find_if(unique.begin(), unique.end(), [&](const auto& u) { return u.first == k; });
      if (it != unique.end()) {
        it->second = Normalize(std::move(m));
      } else {
        unique.emplace_back(std::move(k), Normalize(std::move(m)));
      }
    }
    std::stable_sort(unique.begin(), unique.end(),
                     [](const auto& a, const auto& b) { return KeyLess(a.first, b.first); });
    v.members = std::move(unique);
  }
  return v;
}

std::string JsonbText(const Value& v) {
  std::string out;
  Write(v, &out);
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

namespace {

// Containment below the top level: a scalar element matches only an equal
// scalar, never one inside a nested array.
bool ContainsNested(const Value& container, const Value& contained) {
  if (container.kind != contained.kind) return false;
  switch (container.kind) {
    case Value::Kind::kObject:
      for (const auto& [k, v] : contained.members) {
        const Value* mine = container.Find(k);
        if (mine == nullptr || !ContainsNested(*mine, v)) return false;
      }
      return true;
    case Value::Kind::kArray:
      for (const Value& want : contained.items) {
        bool found = false;
        for (const Value& have : container.items) {
          const bool scalar = want.kind != Value::Kind::kArray && want.kind != Value::Kind::kObject;
          if (scalar ? Compare(have, want) == 0 : ContainsNested(have, want)) {
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    default: return Compare(container, contained) == 0;
  }
}

int KindRank(Value::Kind k) {
  switch (k) {
    case Value::Kind::kNull: return 0;
    case Value::Kind::kString: return 1;
    case Value::Kind::kNumber: return 2;
    case Value::Kind::kBool: return 3;
    case Value::Kind::kArray: return 4;
    case Value::Kind::kObject: return 5;
  }
  return 0;
}

}  // namespace

bool Contains(const Value& container, const Value& contained) {
  // At the top level an array contains a scalar it holds.
  if (container.kind == Value::Kind::kArray && contained.kind != Value::Kind::kArray &&
      contained.kind != Value::Kind::kObject) {
    for (const Value& item : container.items) {
      if (Compare(item, contained) == 0) return true;
    }
    return false;
  }
  return ContainsNested(container, contained);
}

int Compare(const Value& a, const Value& b) {
  if (a.kind != b.kind) return KindRank(a.kind) < KindRank(b.kind) ? -1 : 1;
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  switch (a.kind) {
    case Value::Kind::kNull: return 0;
    case Value::Kind::kBool: return three_way(a.boolean, b.boolean);
    case Value::Kind::kNumber: {
      auto x = Numeric::Parse(a.text);
      auto y = Numeric::Parse(b.text);
      if (x.ok() && y.ok()) return x->Compare(*y);
      return three_way(a.text, b.text);
    }
    case Value::Kind::kString: return three_way(a.text, b.text);
    case Value::Kind::kArray: {
      if (a.items.size() != b.items.size()) return three_way(a.items.size(), b.items.size());
      for (size_t i = 0; i < a.items.size(); ++i) {
        if (int c = Compare(a.items[i], b.items[i]); c != 0) return c;
      }
      return 0;
    }
    case Value::Kind::kObject: {
      if (a.members.size() != b.members.size()) return three_way(a.members.size(), b.members.size());
      for (size_t i = 0; i < a.members.size(); ++i) {
        const std::string& x = a.members[i].first;
        const std::string& y = b.members[i].first;
        if (x != y) return KeyLess(x, y) ? -1 : 1;
      }
      for (size_t i = 0; i < a.members.size(); ++i) {
        if (int c = Compare(a.members[i].second, b.members[i].second); c != 0) return c;
      }
      return 0;
    }
  }
  return 0;
}

std::string CanonicalText(const Value& v) {
  Value c = v;
  std::vector<Value*> stack = {&c};
  while (!stack.empty()) {
    Value* x = stack.back();
    stack.pop_back();
    if (x->kind == Value::Kind::kNumber) {
      auto n = Numeric::Parse(x->text);
      if (n.ok()) x->text = n->Normalize().ToString();
    }
    for (Value& item : x->items) stack.push_back(&item);
    for (auto& member : x->members) stack.push_back(&member.second);
  }
  return JsonbText(c);
}

const char* TypeName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "boolean";
    case Value::Kind::kNumber: return "number";
    case Value::Kind::kString: return "string";
    case Value::Kind::kArray: return "array";
    case Value::Kind::kObject: return "object";
  }
  return "null";
}

}  // namespace cairn::json
