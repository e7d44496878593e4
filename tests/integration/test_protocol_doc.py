"""docs/protocol.md against the live server: its capability and ISUPPORT tables must
list exactly what a server with the default configuration offers in CAP LS 302 and
ISUPPORT, values included."""
import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def doc_table(heading):
    """The rows of the table under '### heading', as lists of cells (backticks kept)."""
    lines = DOC.read_text().splitlines()
    start = lines.index("### " + heading) + 1
    rows = []
    for line in lines[start:]:
        if line.startswith("#"):
            break
        if not line.startswith("|") or line.startswith("| ---"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.append(cells)
    return rows[1:]     # the header row


def code(cell):
    m = re.fullmatch(r"`([^`]*)`", cell)
    return m.group(1) if m else None


def live_caps(c):
    c.send("CAP LS 302")
    caps = {}
    for m in c.collect_until(lambda m: m.command == "CAP" and m.params[2] != "*"):
        if m.command == "CAP":
            for item in m.params[-1].split():
                name, _, value = item.partition("=")
                caps[name] = value
    return caps


def live_isupport(c):
    c.send("NICK doc")
    c.send("USER doc 0 * :doc")
    c.send("CAP END")
    tokens = []
    for m in c.collect_until(lambda m: m.command in ("376", "422")):
        if m.command == "005":
            tokens += m.params[1:-1]
    return tokens


def compare(kind, live, documented):
    problems = []
    for name, value in live.items():
        if name not in documented:
            problems.append("%s %r is advertised but missing from the %s table of "
                            "docs/protocol.md" % (kind, name, kind))
        elif documented[name] != value:
            problems.append("%s %r: advertised as %r, docs/protocol.md says %r" % (
                kind, name, value, documented[name]))
    for name in documented:
        if name not in live:
            problems.append("docs/protocol.md's %s table lists %r, which the server "
                            "does not advertise" % (kind, name))
    return problems


def test_doc_tables_match_cap_ls_and_isupport(server):
    c = server.client()
    caps = live_caps(c)
    tokens = live_isupport(c)
    documented_caps = {}
    for row in doc_table("Capabilities"):
        name = code(row[0])
        assert name, "unreadable capability row in docs/protocol.md: %r" % row
        if row[2] == "always":
            documented_caps[name] = code(row[1]) or ""
    documented_tokens = {}
    for row in doc_table("ISUPPORT tokens"):
        token = code(row[0])
        assert token, "unreadable ISUPPORT row in docs/protocol.md: %r" % row
        name, _, value = token.partition("=")
        documented_tokens[name] = value
    live_tokens = {}
    for t in tokens:
        name, _, value = t.partition("=")
        live_tokens[name] = value
    problems = compare("capability", caps, documented_caps)
    problems += compare("ISUPPORT", live_tokens, documented_tokens)
    assert not problems, "\n".join(problems)
