#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace calzion {

// A place in a source file. Line and column are 1-based; 0 means "unknown".
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;

    bool known() const { return line > 0; }
    // Render as "file:line:col", "file:line" or "file", whichever is known.
    std::string to_string() const;
};

// What went wrong, in the terms the exit codes distinguish (calzion(1), EXIT STATUS).
enum class ErrorKind {
    operation_failed,   // 1: a docker command, a health check, a remote step failed
    usage,              // 64: the command line is wrong
    invalid_data,       // 65: invalid template or infrastructure data
    unreachable,        // 69: host unreachable or authentication failed
    lock_held,          // 75: another deploy holds the lock
    permission,         // 77: host key mismatch or permission denied
    interrupted,        // 130: the user interrupted
};

// Map an error kind to the process exit code of calzion(1), EXIT STATUS.
int exit_code_for(ErrorKind kind);

// One problem found in a source file, with the line it was found on.
struct Diagnostic {
    SourceLocation where;
    std::string message;
    std::string source_line;  // line `where.line` (see util::printable); empty if unknown or too long
};

// The one error type of calzion. It carries a message, optionally the place in a
// source file it concerns, the host it happened on, and further diagnostics when
// validation found several problems at once.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string message);
    Error(ErrorKind kind, SourceLocation where, std::string message);

    ErrorKind kind() const { return m_kind; }
    const std::optional<SourceLocation>& where() const { return m_where; }
    const std::string& host() const { return m_host; }
    const std::string& message() const { return m_message; }
    const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }

    // Return a copy of this error that says which host it happened on.
    Error on_host(std::string host) const;
    // Build an error that reports every diagnostic at once.
    static Error from_diagnostics(ErrorKind kind, std::vector<Diagnostic> diagnostics);

private:
    ErrorKind m_kind;
    std::optional<SourceLocation> m_where;
    std::string m_host;
    std::string m_message;
    std::vector<Diagnostic> m_diagnostics;
};

// Where each line of a text starts, so that any line can be found without
// rescanning the text (a template may have a million lines and as many problems).
class LineIndex {
public:
    explicit LineIndex(std::string_view text);
    // Line `line` (1-based) of `text`, without its line break; empty if out of range.
    // `text` must be the text the index was built from.
    std::string_view line(std::string_view text, int line) const;
    // The 1-based line and column of the byte at `offset`.
    SourceLocation locate(std::string file, size_t offset) const;

private:
    std::vector<size_t> m_starts;
};

// Collects located problems so that validation can report all of them at once.
// Hostile input can have millions of problems: past k_max_diagnostics they are only
// counted, and source lines longer than k_max_source_line are not kept.
class Diagnostics {
public:
    static constexpr size_t k_max_diagnostics = 10'000;
    static constexpr size_t k_max_source_line = 1'000;

    explicit Diagnostics(std::string source_text = {});

    void add(SourceLocation where, std::string message);
    bool empty() const { return m_items.empty(); }
    const std::vector<Diagnostic>& items() const { return m_items; }
    // Throw one Error carrying every diagnostic, sorted by position, if there are any;
    // problems beyond the cap are summed up in a last, unlocated diagnostic.
    void throw_if_any(ErrorKind kind = ErrorKind::invalid_data) const;

private:
    std::string m_source_text;
    LineIndex m_lines;
    std::vector<Diagnostic> m_items;
    size_t m_dropped = 0;
};

// Return line `line` (1-based) of `text`, without its newline; empty if out of range.
std::string line_of(const std::string& text, int line);

}  // namespace calzion
