// The docs quote compiled files, so they cannot rot (STYLE.md, habit 8).
//
// In README.md and docs/*.md, a code block that quotes a source file is announced by a comment
// on the line before its fence:
//
//     <!-- snippet: examples/fit_scale.cpp#fit_scale_model -->
//     ```cpp
//     ...
//     ```
//
// and the source file marks the quoted region with two lines:
//
//     // [snippet:fit_scale_model]
//     ...
//     // [/snippet:fit_scale_model]
//
// The path is relative to the repository root. The fenced code must equal the region line by
// line, after removing the common leading indentation of each and trailing white space; marker
// lines (of this region or of regions nested in it) are not part of the text. This file checks
// every such quote, and that every relative link `[text](path)` in those documents points to a
// file or directory that exists. The self-tests at the end feed in-memory documents with known
// faults and check that each one is reported.
#define BOOST_TEST_MODULE docs snippets
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef SYMDIFF_SOURCE_DIR
#error "SYMDIFF_SOURCE_DIR (the repository root) must be defined; tests/CMakeLists.txt does it"
#endif

namespace fs = std::filesystem;

namespace {

const fs::path source_dir{SYMDIFF_SOURCE_DIR};

// ------------------------------------------------------------------------------ text helpers

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(start, end - start));
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return std::string(s.substr(b, e - b));
}

std::string rtrim(std::string_view s) {
    std::size_t e = s.size();
    while (e > 0 && is_space(s[e - 1])) --e;
    return std::string(s.substr(0, e));
}

bool is_blank(std::string_view s) { return trim(s).empty(); }

/// Removes trailing white space from every line and the indentation common to the non-blank lines.
std::vector<std::string> dedent(const std::vector<std::string>& lines) {
    std::size_t common = std::string::npos;
    for (const auto& l : lines) {
        if (is_blank(l)) continue;
        const std::size_t indent = l.find_first_not_of(" \t");
        common = std::min(common, indent);
    }
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(is_blank(l) ? std::string{} : rtrim(l).substr(common));
    return out;
}

std::optional<std::string> read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string location(const std::string& file, std::size_t line) { return file + ":" + std::to_string(line); }

// ------------------------------------------------------------------------------ regions in sources

struct region {
    std::vector<std::string> lines;         // dedented, marker lines left out
    std::vector<std::size_t> line_numbers;  // where each line is in the source (1-based)
};

struct source_regions {
    std::map<std::string, region> regions;
    std::vector<std::string> problems;
};

/// `// [snippet:NAME]` or `// [/snippet:NAME]` (alone on its line): the name and whether it closes.
std::optional<std::pair<std::string, bool>> region_marker(const std::string& line) {
    static const std::regex marker(R"(^\s*//\s*\[(/?)snippet:([A-Za-z0-9_.-]+)\]\s*$)");
    std::smatch m;
    if (!std::regex_match(line, m, marker)) return std::nullopt;
    return std::pair{m[2].str(), m[1].length() == 1};
}

source_regions find_regions(const std::string& file, std::string_view text) {
    source_regions out;
    const auto lines = split_lines(text);
    std::map<std::string, std::size_t> open;  // name -> index of its opening marker line
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto marker = region_marker(lines[i]);
        if (!marker) continue;
        const auto& [name, closing] = *marker;
        if (!closing) {
            if (open.count(name) || out.regions.count(name))
                out.problems.push_back(location(file, i + 1) + ": region [snippet:" + name + "] is opened twice");
            else open[name] = i;
            continue;
        }
        const auto it = open.find(name);
        if (it == open.end()) {
            out.problems.push_back(location(file, i + 1) + ": [/snippet:" + name +
                                   "] closes a region that is not open");
            continue;
        }
        std::vector<std::string> body;
        region r;
        for (std::size_t k = it->second + 1; k < i; ++k) {
            if (region_marker(lines[k])) continue;
            body.push_back(lines[k]);
            r.line_numbers.push_back(k + 1);
        }
        r.lines = dedent(body);
        out.regions[name] = std::move(r);
        open.erase(it);
    }
    for (const auto& [name, at] : open)
        out.problems.push_back(location(file, at + 1) + ": region [snippet:" + name + "] is never closed");
    return out;
}

// ------------------------------------------------------------------------------ quotes in documents

struct quote {
    std::size_t marker_line = 0;  // 1-based line of the <!-- snippet: ... --> comment
    std::string file, name;
    std::vector<std::string> code;  // the fenced lines, dedented
};

struct doc_quotes {
    std::vector<quote> quotes;
    std::vector<std::string> problems;
};

doc_quotes find_quotes(const std::string& doc, std::string_view text) {
    static const std::regex marker(R"(^\s*<!--\s*snippet:\s*([^#\s]+)#(\S+?)\s*-->\s*$)");
    doc_quotes out;
    const auto lines = split_lines(text);
    std::string fence;  // an open code block that is not a quote (``` or ~~~); its text is skipped
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string t = trim(lines[i]);
        if (!fence.empty()) {
            if (t.rfind(fence, 0) == 0 && trim(t.substr(3)).empty()) fence.clear();
            continue;
        }
        if (t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0) {
            fence = t.substr(0, 3);
            continue;
        }
        std::smatch m;
        if (!std::regex_match(lines[i], m, marker)) {
            if (t.rfind("<!--", 0) == 0 && t.find("snippet") != std::string::npos)
                out.problems.push_back(location(doc, i + 1) +
                                       ": a snippet comment must read `<!-- snippet: FILE#NAME -->` alone on its line");
            continue;
        }
        quote q{i + 1, m[1].str(), m[2].str(), {}};
        if (i + 1 >= lines.size() || trim(lines[i + 1]) != "```cpp") {
            out.problems.push_back(location(doc, i + 1) + ": the snippet comment for " + q.file + "#" + q.name +
                                   " must be followed, on the next line, by a ```cpp fence");
            continue;
        }
        std::size_t k = i + 2;
        std::vector<std::string> body;
        while (k < lines.size() && trim(lines[k]) != "```") body.push_back(lines[k++]);
        if (k == lines.size()) {
            out.problems.push_back(location(doc, i + 2) + ": the ```cpp fence for " + q.file + "#" + q.name +
                                   " is never closed");
            break;
        }
        q.code = dedent(body);
        out.quotes.push_back(std::move(q));
        i = k;
    }
    return out;
}

/// Gives the text of a repository file (path relative to the root), or nothing if there is none.
using file_loader = std::function<std::optional<std::string>(const std::string&)>;

std::optional<std::string> load_from_source_dir(const std::string& rel) {
    if (!fs::is_regular_file(source_dir / rel)) return std::nullopt;
    return read_text(source_dir / rel);
}

/// Every problem with the quotes of one document: each message names the document line.
std::vector<std::string> check_quotes(const std::string& doc, std::string_view text, const file_loader& load) {
    auto scan = find_quotes(doc, text);
    std::vector<std::string> problems = std::move(scan.problems);
    std::map<std::string, std::optional<source_regions>> sources;  // parsed once per file
    for (const auto& q : scan.quotes) {
        const std::string where = location(doc, q.marker_line) + ": " + q.file + "#" + q.name + ": ";
        if (!sources.count(q.file)) {
            const auto text_of_file = load(q.file);
            if (text_of_file) {
                auto parsed = find_regions(q.file, *text_of_file);
                for (const auto& p : parsed.problems) problems.push_back(p);
                sources[q.file] = std::move(parsed);
            } else {
                sources[q.file] = std::nullopt;
            }
        }
        const auto& src = sources[q.file];
        if (!src) {
            problems.push_back(where + "the file " + q.file +
                               " does not exist (paths are relative to the repository root)");
            continue;
        }
        const auto r = src->regions.find(q.name);
        if (r == src->regions.end()) {
            std::string names;
            for (const auto& [n, _] : src->regions) names += (names.empty() ? "" : ", ") + n;
            problems.push_back(where + q.file + " has no region [snippet:" + q.name + "]" +
                               (names.empty() ? " (it has no regions)" : " (it has: " + names + ")"));
            continue;
        }
        const auto& want = r->second.lines;
        const std::size_t n = std::min(want.size(), q.code.size());
        std::size_t i = 0;
        while (i < n && want[i] == q.code[i]) ++i;
        const std::size_t doc_line = q.marker_line + 2 + i;  // the marker, the fence, then the code
        if (i < n) {
            problems.push_back(where + "the quote differs from the source at " + location(doc, doc_line) + " / " +
                               location(q.file, r->second.line_numbers[i]) + ":\n    doc:    \"" + q.code[i] +
                               "\"\n    source: \"" + want[i] + "\"");
        } else if (q.code.size() > want.size()) {
            problems.push_back(where + "the quote has " + std::to_string(q.code.size() - want.size()) +
                               " more line(s) than the region, from " + location(doc, doc_line) + ": \"" + q.code[i] +
                               "\"");
        } else if (q.code.size() < want.size()) {
            problems.push_back(where + "the quote lacks the region's last " +
                               std::to_string(want.size() - q.code.size()) + " line(s), from " +
                               location(q.file, r->second.line_numbers[i]) + ": \"" + want[i] + "\"");
        }
    }
    return problems;
}

// ------------------------------------------------------------------------------ links in documents

/// Every relative link `[text](target)` or `![alt](target)` (and reference definition
/// `[label]: target`) outside code, as (line, target).
std::vector<std::pair<std::size_t, std::string>> find_links(std::string_view text) {
    static const std::regex inline_link(R"(!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\))");
    static const std::regex reference(R"(^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?.*$)");
    static const std::regex inline_code("`[^`]*`");
    std::vector<std::pair<std::size_t, std::string>> links;
    const auto lines = split_lines(text);
    std::string fence;  // the open fence's marker (``` or ~~~), empty outside code blocks
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string t = trim(lines[i]);
        if (fence.empty() && (t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0)) {
            fence = t.substr(0, 3);
            continue;
        }
        if (!fence.empty()) {
            if (t.rfind(fence, 0) == 0 && trim(t.substr(3)).empty()) fence.clear();
            continue;
        }
        const std::string prose = std::regex_replace(lines[i], inline_code, "``");
        for (std::sregex_iterator it(prose.begin(), prose.end(), inline_link), end; it != end; ++it)
            links.emplace_back(i + 1, (*it)[1].str());
        std::smatch m;
        if (std::regex_match(prose, m, reference)) links.emplace_back(i + 1, m[1].str());
    }
    return links;
}

/// Every relative link of a document (at `doc`, relative to the repository root) whose target
/// does not exist according to `exists` (which gets paths relative to the root).
std::vector<std::string> check_links(const std::string& doc, std::string_view text,
                                     const std::function<bool(const std::string&)>& exists) {
    static const std::regex scheme(R"(^[A-Za-z][A-Za-z0-9+.-]*:.*)");  // https:, mailto:, ...
    std::vector<std::string> problems;
    for (const auto& [line, target] : find_links(text)) {
        if (target.empty() || target[0] == '#' || std::regex_match(target, scheme)) continue;
        std::string path = target.substr(0, target.find_first_of("#?"));
        if (path.empty()) continue;
        const fs::path resolved = path[0] == '/' ? fs::path(path.substr(1))  // GitHub: root-relative
                                                 : fs::path(doc).parent_path() / path;
        const std::string rel = resolved.lexically_normal().generic_string();
        if (rel.rfind("..", 0) == 0 || !exists(rel))
            problems.push_back(location(doc, line) + ": the link (" + target + ") points to " + rel +
                               ", which does not exist");
    }
    return problems;
}

// ------------------------------------------------------------------------------ the documents

/// README.md and docs/*.md, relative to the repository root.
std::vector<std::string> documents() {
    std::vector<std::string> docs{"README.md"};
    for (const auto& e : fs::directory_iterator(source_dir / "docs"))
        if (e.is_regular_file() && e.path().extension() == ".md")
            docs.push_back("docs/" + e.path().filename().string());
    std::sort(docs.begin() + 1, docs.end());
    return docs;
}

std::string read_document(const std::string& rel) {
    const auto text = read_text(source_dir / rel);
    BOOST_REQUIRE_MESSAGE(text, "cannot read " << (source_dir / rel).string());
    return *text;
}

bool contains(const std::vector<std::string>& problems, std::string_view needle) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(needle) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& problems) {
    std::string s;
    for (const auto& p : problems) s += "\n  " + p;
    return s;
}

}  // namespace

// ================================================================================ the real docs

BOOST_AUTO_TEST_CASE(every_quote_in_the_docs_equals_its_source_region) {
    std::size_t quotes = 0;
    for (const auto& doc : documents()) {
        const std::string text = read_document(doc);
        quotes += find_quotes(doc, text).quotes.size();
        for (const auto& problem : check_quotes(doc, text, load_from_source_dir)) BOOST_ERROR(problem);
    }
    BOOST_TEST_MESSAGE(quotes << " quotes checked");
    BOOST_TEST(quotes > 0u, "no `<!-- snippet: FILE#NAME -->` quotes found in README.md or docs/*.md");
}

BOOST_AUTO_TEST_CASE(the_readme_example_is_the_compiled_examples_readme_cpp) {
    const auto scan = find_quotes("README.md", read_document("README.md"));
    const bool quoted = std::any_of(scan.quotes.begin(), scan.quotes.end(), [](const quote& q) {
        return q.file == "examples/readme.cpp" && q.name == "readme";
    });
    BOOST_TEST(quoted, "README.md must quote examples/readme.cpp#readme (its first example, compiled and run)");
}

BOOST_AUTO_TEST_CASE(every_relative_link_in_the_docs_points_to_an_existing_file) {
    const auto exists = [](const std::string& rel) { return fs::exists(source_dir / rel); };
    for (const auto& doc : documents())
        for (const auto& problem : check_links(doc, read_document(doc), exists)) BOOST_ERROR(problem);
}

// ================================================================================ self-tests

namespace {

const std::string source = R"(int main() {
    // [snippet:model]
    constexpr auto x = symbol<"x">;
    if (true) {
        constexpr auto f = square(x);
    }
    // [/snippet:model]
    return 0;
}
)";

file_loader in_memory(const std::string& path, const std::string& text) {
    return [=](const std::string& p) -> std::optional<std::string> {
        if (p == path) return text;
        return std::nullopt;
    };
}

std::vector<std::string> check(const std::string& doc_text, const std::string& src = source) {
    return check_quotes("doc.md", doc_text, in_memory("examples/a.cpp", src));
}

}  // namespace

BOOST_AUTO_TEST_CASE(self_test_an_exact_quote_passes_whatever_its_indentation) {
    const auto problems = check(
        "Text.\n\n<!-- snippet: examples/a.cpp#model -->\n```cpp\n"
        "constexpr auto x = symbol<\"x\">;\nif (true) {\n    constexpr auto f = square(x);\n}\n"
        "```\n");
    BOOST_TEST(problems.empty(), joined(problems));
    // inside a list item, indented as a whole
    const auto indented = check(
        "- item\n\n  <!-- snippet: examples/a.cpp#model -->\n  ```cpp\n"
        "  constexpr auto x = symbol<\"x\">;\n  if (true) {\n      constexpr auto f = square(x);\n  }\n"
        "  ```\n");
    BOOST_TEST(indented.empty(), joined(indented));
}

BOOST_AUTO_TEST_CASE(self_test_a_drifted_quote_is_reported_at_its_line) {
    const auto problems = check(
        "<!-- snippet: examples/a.cpp#model -->\n```cpp\n"
        "constexpr auto x = symbol<\"x\">;\nif (true) {\n    constexpr auto f = cube(x);\n}\n"
        "```\n");
    BOOST_TEST_REQUIRE(problems.size() == 1u, joined(problems));
    BOOST_TEST(contains(problems, "doc.md:5 / examples/a.cpp:5"), joined(problems));
    BOOST_TEST(contains(problems, "cube(x)"), joined(problems));
}

BOOST_AUTO_TEST_CASE(self_test_a_changed_indentation_inside_the_quote_is_reported) {
    const auto problems = check(
        "<!-- snippet: examples/a.cpp#model -->\n```cpp\n"
        "constexpr auto x = symbol<\"x\">;\nif (true) {\n  constexpr auto f = square(x);\n}\n"
        "```\n");
    BOOST_TEST(problems.size() == 1u, joined(problems));
}

BOOST_AUTO_TEST_CASE(self_test_missing_and_extra_lines_are_reported) {
    const auto shorter = check(
        "<!-- snippet: examples/a.cpp#model -->\n```cpp\n"
        "constexpr auto x = symbol<\"x\">;\nif (true) {\n    constexpr auto f = square(x);\n```\n");
    BOOST_TEST(contains(shorter, "lacks the region's last 1 line"), joined(shorter));
    const auto longer = check(
        "<!-- snippet: examples/a.cpp#model -->\n```cpp\n"
        "constexpr auto x = symbol<\"x\">;\nif (true) {\n    constexpr auto f = square(x);\n}\n"
        "return 0;\n```\n");
    BOOST_TEST(contains(longer, "1 more line(s) than the region"), joined(longer));
}

BOOST_AUTO_TEST_CASE(self_test_a_missing_file_or_region_is_reported) {
    const auto no_file = check("<!-- snippet: examples/b.cpp#model -->\n```cpp\nx\n```\n");
    BOOST_TEST(contains(no_file, "examples/b.cpp does not exist"), joined(no_file));
    const auto no_region = check("<!-- snippet: examples/a.cpp#loss -->\n```cpp\nx\n```\n");
    BOOST_TEST(contains(no_region, "has no region [snippet:loss] (it has: model)"), joined(no_region));
}

BOOST_AUTO_TEST_CASE(self_test_malformed_markers_and_fences_are_reported) {
    const auto no_fence = check("<!-- snippet: examples/a.cpp#model -->\n\n```cpp\nx\n```\n");
    BOOST_TEST(contains(no_fence, "doc.md:1: the snippet comment"), joined(no_fence));
    const auto not_cpp = check("<!-- snippet: examples/a.cpp#model -->\n```sh\nx\n```\n");
    BOOST_TEST(contains(not_cpp, "```cpp fence"), joined(not_cpp));
    const auto unclosed_fence = check("<!-- snippet: examples/a.cpp#model -->\n```cpp\nx\n");
    BOOST_TEST(contains(unclosed_fence, "is never closed"), joined(unclosed_fence));
    const auto bad_comment = check("<!-- snippet: examples/a.cpp -->\n```cpp\nx\n```\n");
    BOOST_TEST(contains(bad_comment, "must read `<!-- snippet: FILE#NAME -->`"), joined(bad_comment));
    const auto unclosed_region =
        check("<!-- snippet: examples/a.cpp#model -->\n```cpp\nx\n```\n", "// [snippet:model]\nx\n");
    BOOST_TEST(contains(unclosed_region, "examples/a.cpp:1: region [snippet:model] is never closed"),
               joined(unclosed_region));
    // a comment shown inside another code block is an illustration, not a quote
    const auto shown = check("```markdown\n<!-- snippet: examples/a.cpp#nothing -->\n```cpp\n```\n");
    BOOST_TEST(shown.empty(), joined(shown));
}

BOOST_AUTO_TEST_CASE(self_test_nested_region_markers_are_not_quoted_text) {
    const auto r = find_regions("n.cpp",
                                "// [snippet:outer]\na;\n  // [snippet:inner]\n  b;\n  // [/snippet:inner]\n"
                                "// [/snippet:outer]\n");
    BOOST_TEST(r.problems.empty(), joined(r.problems));
    BOOST_TEST(r.regions.at("outer").lines == (std::vector<std::string>{"a;", "  b;"}));
    BOOST_TEST(r.regions.at("inner").lines == (std::vector<std::string>{"b;"}));
}

BOOST_AUTO_TEST_CASE(self_test_broken_relative_links_are_reported_and_others_ignored) {
    const std::string doc =
        "See [the design](design.md), [a picture](images/fit.png), [up](../README.md),\n"
        "[gone](missing.md#part), [web](https://example.com/x.md), [here](#section),\n"
        "and `fit[a](0)` in code.\n"
        "```cpp\nfit[a](1);\n```\n"
        "[ref]: ../examples/nothing_here.cpp\n";
    const auto exists = [](const std::string& rel) {
        return rel == "docs/design.md" || rel == "docs/images/fit.png" || rel == "README.md";
    };
    const auto problems = check_links("docs/guide.md", doc, exists);
    BOOST_TEST_REQUIRE(problems.size() == 2u, joined(problems));
    BOOST_TEST(contains(problems, "docs/guide.md:2: the link (missing.md#part) points to docs/missing.md"),
               joined(problems));
    BOOST_TEST(contains(problems, "docs/guide.md:7: the link (../examples/nothing_here.cpp)"), joined(problems));
}
