// Interpolation of compose-style variable references.
//
// One left-to-right pass parses and evaluates at once; nothing is tokenised up
// front. Literal runs between '$' signs are copied in one piece. At a '$' the
// expander reads exactly one reference: "$$" is a literal '$', "$NAME" and "${NAME}"
// become the looked-up value, and "${NAME<op>word}" reads the name and the operator,
// decides from the variable's value whether the word is used, and only then reads
// the word up to the '}' that closes this reference, recursing at every "${" inside
// it (so a '}' always closes the innermost open "${"). A used word is expanded into
// the output; an unused one is still parsed, so syntax errors are found wherever
// they are, but in skip mode, which looks nothing up and reports no unset variable.
// That makes defaults lazy: `${A:-${B}}` does not need B when A is set. Values are
// inserted verbatim and never expanded again. The first problem stops the pass and
// carries the offset of the '$' that starts it; since the pass runs in text order,
// the innermost reference wins for nested problems. Recursion happens only at "${"
// and is capped at k_max_nesting, so any input costs one pass over its bytes and a
// bounded stack. check_syntax() and referenced_names() run the same pass in skip
// mode, so the three functions agree on the grammar.

#include "render/interpolate.hpp"

#include <set>
#include <utility>

namespace calzion::render {

namespace {

// Longest stretch of source text quoted in an "invalid variable reference" message.
constexpr size_t k_max_quoted = 64;

enum class Mode { evaluate, skip };

// The operator of "${NAME<op>word}": kind is '-', '?' or '+'; colon for ":-", ":?", ":+".
struct Operator {
    char kind;
    bool colon;
};

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
}

std::string quoted(std::string_view text) {
    std::string out = "\"";
    out += text;
    out += '"';
    return out;
}

// Cut text to at most k_max_quoted bytes without splitting a UTF-8 sequence.
std::string shortened(std::string_view text) {
    if (text.size() <= k_max_quoted) {
        return std::string(text);
    }
    size_t cut = k_max_quoted;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return std::string(text.substr(0, cut)) + "...";
}

// The reference starting with "${" at text[start] as written: up to the '}' that
// closes it or the end of text, shortened for a message.
std::string written_reference(std::string_view text, size_t start) {
    size_t i = start + 2;
    int open = 1;
    while (i < text.size() && open > 0 && i - start <= k_max_quoted) {
        const bool pair = text[i] == '$' && i + 1 < text.size() && (text[i + 1] == '$' || text[i + 1] == '{');
        if (pair) {
            open += text[i + 1] == '{' ? 1 : 0;
            i += 2;
        } else {
            open -= text[i] == '}' ? 1 : 0;
            ++i;
        }
    }
    return shortened(text.substr(start, i - start));
}

std::string required_message(std::string_view name, const std::string& detail) {
    std::string out = "variable " + quoted(name) + " is required";
    if (!detail.empty()) {
        out += ": " + detail;
    }
    return out;
}

// Reads and expands one text; see the paragraph at the top of this file.
class Expander {
public:
    // lookup may be null (nothing is set); names are collected when collect_names.
    Expander(std::string_view text, const Lookup* lookup, bool collect_names)
        : m_text(text), m_lookup(lookup), m_collect_names(collect_names) {}

    // Expand the whole text into out; false once a problem is recorded in error().
    bool run(Mode mode, std::string& out) { return expand_run(std::string_view::npos, mode, out, 0); }

    const std::optional<InterpolationError>& error() const { return m_error; }
    std::vector<std::string> take_names() { return std::move(m_names); }

private:
    bool expand_run(size_t open, Mode mode, std::string& out, int depth);
    bool expand_dollar(Mode mode, std::string& out, int depth);
    bool expand_braced(size_t start, Mode mode, std::string& out, int depth);
    bool expand_operator(Operator op, std::string_view name, size_t start, Mode mode, std::string& out,
                         int depth);
    bool expand_required(std::string_view name, size_t start, int depth);
    bool resolve(std::string_view name, size_t start, Mode mode, std::string& out);
    std::optional<std::string> value_of(std::string_view name) const;
    std::string_view read_name();
    std::optional<Operator> read_operator();
    void note_name(std::string_view name);
    bool at_end() const { return m_pos >= m_text.size(); }
    bool fail(size_t offset, std::string message);

    std::string_view m_text;
    size_t m_pos = 0;
    const Lookup* m_lookup;
    bool m_collect_names;
    std::vector<std::string> m_names;
    std::set<std::string, std::less<>> m_seen;
    std::optional<InterpolationError> m_error;
};

// Expand from m_pos to the end of text (open == npos) or to the '}' that closes the
// reference whose '$' is at `open`, consuming that '}'.
bool Expander::expand_run(size_t open, Mode mode, std::string& out, int depth) {
    const bool nested = open != std::string_view::npos;
    const std::string_view stops = nested ? "$}" : "$";
    while (true) {
        const size_t next = m_text.find_first_of(stops, m_pos);
        const size_t literal_end = next == std::string_view::npos ? m_text.size() : next;
        if (mode == Mode::evaluate) {
            out += m_text.substr(m_pos, literal_end - m_pos);
        }
        m_pos = literal_end;
        if (at_end()) {
            return nested ? fail(open, "unterminated \"${\"") : true;
        }
        if (m_text[m_pos] == '}') {
            ++m_pos;
            return true;
        }
        if (!expand_dollar(mode, out, depth)) {
            return false;
        }
    }
}

// Expand the reference that starts with the '$' at m_pos.
bool Expander::expand_dollar(Mode mode, std::string& out, int depth) {
    const size_t start = m_pos;
    const bool has_next = start + 1 < m_text.size();
    const char next = has_next ? m_text[start + 1] : '\0';
    if (has_next && next == '$') {
        if (mode == Mode::evaluate) {
            out += '$';
        }
        m_pos += 2;
        return true;
    }
    if (has_next && next == '{') {
        return expand_braced(start, mode, out, depth + 1);
    }
    if (has_next && is_name_start(next)) {
        ++m_pos;
        return resolve(read_name(), start, mode, out);
    }
    return fail(start, "lone \"$\": write \"$$\" for a literal \"$\"");
}

// Expand "${...}" whose '$' is at start; depth counts this reference.
bool Expander::expand_braced(size_t start, Mode mode, std::string& out, int depth) {
    if (depth > k_max_nesting) {
        return fail(start, "variable references nested too deeply");
    }
    const auto invalid = [&] {
        return fail(start, "invalid variable reference " + quoted(written_reference(m_text, start)));
    };
    m_pos = start + 2;
    const std::string_view name = read_name();
    if (at_end()) {
        return fail(start, "unterminated \"${\"");
    }
    if (name.empty()) {
        return invalid();
    }
    if (m_text[m_pos] == '}') {
        ++m_pos;
        return resolve(name, start, mode, out);
    }
    const std::optional<Operator> op = read_operator();
    if (!op) {
        return at_end() ? fail(start, "unterminated \"${\"") : invalid();
    }
    return expand_operator(*op, name, start, mode, out, depth);
}

// Apply op to name and read its word up to the closing '}'. Whether the word is
// used is decided before it is read, so an unused word is only checked.
bool Expander::expand_operator(Operator op, std::string_view name, size_t start, Mode mode, std::string& out,
                               int depth) {
    note_name(name);
    const std::optional<std::string> value = mode == Mode::evaluate ? value_of(name) : std::nullopt;
    // "Set" in the operator's sense: ":" also treats an empty value as unset.
    const bool set = value && !(op.colon && value->empty());
    if (op.kind == '?' && mode == Mode::evaluate && !set) {
        return expand_required(name, start, depth);
    }
    if (op.kind != '+' && set) {
        out += *value;
    }
    const bool use_word = op.kind == '-' ? !set : (op.kind == '+' && set);
    return expand_run(start, use_word ? mode : Mode::skip, out, depth);
}

// Read the message of a required variable that is not set, then report it.
bool Expander::expand_required(std::string_view name, size_t start, int depth) {
    std::string detail;
    if (!expand_run(start, Mode::evaluate, detail, depth)) {
        return false;
    }
    return fail(start, required_message(name, detail));
}

// Append the value of the plain reference name (whose '$' is at start) to out.
bool Expander::resolve(std::string_view name, size_t start, Mode mode, std::string& out) {
    note_name(name);
    if (mode == Mode::skip) {
        return true;
    }
    const std::optional<std::string> value = value_of(name);
    if (!value) {
        return fail(start, "variable " + quoted(name) + " is not set");
    }
    out += *value;
    return true;
}

std::optional<std::string> Expander::value_of(std::string_view name) const {
    if (m_lookup == nullptr || !*m_lookup) {
        return std::nullopt;
    }
    return (*m_lookup)(name);
}

// Read a name at m_pos; empty (and nothing consumed) if none starts there.
std::string_view Expander::read_name() {
    const size_t begin = m_pos;
    if (at_end() || !is_name_start(m_text[m_pos])) {
        return {};
    }
    while (!at_end() && is_name_char(m_text[m_pos])) {
        ++m_pos;
    }
    return m_text.substr(begin, m_pos - begin);
}

// Read ":-", "-", ":?", "?", ":+" or "+" at m_pos; nullopt if none is there.
std::optional<Operator> Expander::read_operator() {
    bool colon = false;
    if (m_text[m_pos] == ':') {
        colon = true;
        ++m_pos;
        if (at_end()) {
            return std::nullopt;
        }
    }
    const char kind = m_text[m_pos];
    if (kind != '-' && kind != '?' && kind != '+') {
        return std::nullopt;
    }
    ++m_pos;
    return Operator{kind, colon};
}

void Expander::note_name(std::string_view name) {
    if (m_collect_names && m_seen.find(name) == m_seen.end()) {
        m_seen.emplace(name);
        m_names.emplace_back(name);
    }
}

bool Expander::fail(size_t offset, std::string message) {
    m_error = InterpolationError{offset, std::move(message)};
    return false;
}

}  // namespace

Interpolated interpolate(std::string_view text, const Lookup& lookup) {
    Expander expander(text, &lookup, false);
    Interpolated result;
    result.value.reserve(text.size());
    if (!expander.run(Mode::evaluate, result.value)) {
        result.error = expander.error();
    }
    return result;
}

std::optional<InterpolationError> check_syntax(std::string_view text) {
    Expander expander(text, nullptr, false);
    std::string unused;
    expander.run(Mode::skip, unused);
    return expander.error();
}

std::vector<std::string> referenced_names(std::string_view text) {
    Expander expander(text, nullptr, true);
    std::string unused;
    expander.run(Mode::skip, unused);
    return expander.take_names();
}

void Variables::add_layer(std::string source_name, std::map<std::string, std::string> values) {
    Layer layer{std::move(source_name), {}};
    layer.values.merge(values);  // moves the nodes; only the comparator differs
    m_layers.push_back(std::move(layer));
}

std::optional<std::string> Variables::lookup(std::string_view name) const {
    const Found found = find(name);
    if (found.value == nullptr) {
        return std::nullopt;
    }
    return *found.value;
}

std::optional<std::string> Variables::source_of(std::string_view name) const {
    const Found found = find(name);
    if (found.layer == nullptr) {
        return std::nullopt;
    }
    return found.layer->source;
}

Lookup Variables::as_lookup() const {
    return [this](std::string_view name) { return lookup(name); };
}

Variables::Found Variables::find(std::string_view name) const {
    for (const Layer& layer : m_layers) {
        const auto it = layer.values.find(name);
        if (it != layer.values.end()) {
            return Found{&layer, &it->second};
        }
    }
    return {};
}

}  // namespace calzion::render
