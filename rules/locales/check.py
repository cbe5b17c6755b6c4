#!/usr/bin/env python3
"""Checks the texts of the library rules in rules/locales/{en,kk,ru}.ftl.

Run from anywhere: python3 rules/locales/check.py

Fails (exit status 1, one line per problem, naming the file and the key) when
- a file has a line that is not a comment, a blank line or `key = value`
  on one line, a key that is not a valid Fluent identifier, a key given
  twice, an empty value, or a value with `{` or `}` (a Fluent placeable)
  other than an explanation's `{ $fact }`;
- an explanation (rule-<id>-explanation, written over the facts the rule's
  script returns) whose facts differ between the locales;
- a rule of rules/*/*.toml, or one of its parameters, lacks any of its keys
  (rule-<id>-title, -description, -section, -explanation;
  rule-<id>-param-<p>-label, -help) in any locale;
- a file has a key that belongs to no rule or parameter of the library
  (a renamed or removed rule) and is not a code's words (`fact-<name>-<code>`,
  shown for a fact whose value is that code), or a key the other locales do
  not have;
- a kk or ru value equals the en value, unless the key is in SAME_AS_EN;
- a kk or ru value has no Cyrillic letter, or a run of four or more Latin
  letters that is not in LATIN_WORDS.

Standard library only.
"""

import re
import sys
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent
RULES_DIR = LOCALES_DIR.parent
LOCALES = ("en", "kk", "ru")
TRANSLATED = ("kk", "ru")

# Keys whose kk and ru values may equal the en one because the value is a
# proper name or a code. Empty today: every value is translated.
SAME_AS_EN = set()

# Latin words a kk or ru value may contain: proper names and the codes an
# officer types (OCDS procurement method codes in the help of R003 and R018).
LATIN_WORDS = {
    "Adal",
    "OCDS",
    "OCID",
    "open",
    "selective",
    "limited",
    "direct",
}

KEY_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]*$")
LINE_RE = re.compile(r"^([^=\s][^=]*?)\s*=\s*(.*)$")
LATIN_RUN_RE = re.compile(r"[A-Za-z]+")
CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")
# A code's words in an explanation: fact-<fact name>-<code>.
FACT_WORD_RE = re.compile(r"^fact-[a-z][a-z0-9_]*-[A-Za-z0-9_-]+$")
# The only placeable an explanation may hold: a fact, `{ $name }`.
FACT_RE = re.compile(r"\{ \$([a-z][a-z0-9_]*) \}")


def library():
    """Rule id -> list of parameter names, from rules/*/*.toml."""
    try:
        import tomllib
    except ImportError:  # Python before 3.11: the two things we need, by hand.
        tomllib = None
    rules = {}
    problems = []
    for path in sorted(RULES_DIR.glob("*/*.toml")):
        rel = path.relative_to(RULES_DIR.parent)
        if tomllib is not None:
            with path.open("rb") as f:
                meta = tomllib.load(f)
            rule_id = meta.get("id")
            params = list(meta.get("params", {}))
        else:
            text = path.read_text(encoding="utf-8")
            m = re.search(r'^id\s*=\s*"([^"]+)"', text, re.M)
            rule_id = m.group(1) if m else None
            params = re.findall(r"^\[params\.([A-Za-z0-9_-]+)\]", text, re.M)
        if not rule_id:
            problems.append(f"{rel}: no id")
            continue
        if rule_id in rules:
            problems.append(f"{rel}: rule id {rule_id!r} given twice in the library")
        rules[rule_id] = params
    if not rules:
        problems.append(f"{RULES_DIR}: no rules/*/*.toml found")
    return rules, problems


def expected_keys(rules):
    keys = set()
    for rule_id, params in rules.items():
        for part in ("title", "description", "section", "explanation"):
            keys.add(f"rule-{rule_id}-{part}")
        for p in params:
            keys.add(f"rule-{rule_id}-param-{p}-label")
            keys.add(f"rule-{rule_id}-param-{p}-help")
    return keys


def parse(path):
    """key -> value of a simple .ftl file, and the problems found."""
    messages = {}
    problems = []
    if not path.is_file():
        return messages, [f"{path.name}: file missing"]
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path.name}:{n}"
        if line[0].isspace():
            problems.append(f"{where}: indented line; values must be on one line")
            continue
        m = LINE_RE.match(line)
        if not m:
            problems.append(f"{where}: not `key = value`: {line[:60]!r}")
            continue
        key, value = m.group(1), m.group(2).strip()
        if not KEY_RE.match(key):
            problems.append(f"{where}: key {key!r} is not a Fluent identifier ([a-zA-Z][a-zA-Z0-9_-]*)")
            continue
        if key in messages:
            problems.append(f"{where}: key {key} given twice")
            continue
        if not value:
            problems.append(f"{where}: key {key} has an empty value")
        bare = FACT_RE.sub("", value) if key.endswith("-explanation") else value
        if "{" in bare or "}" in bare:
            problems.append(
                f"{where}: key {key}: braces would be read as a Fluent placeable"
                + (" (an explanation may hold only `{ $fact }`)" if key.endswith("-explanation") else "")
            )
        messages[key] = value
    return messages, problems


def main():
    rules, problems = library()
    expected = expected_keys(rules)
    files = {}
    for loc in LOCALES:
        messages, found = parse(LOCALES_DIR / f"{loc}.ftl")
        files[loc] = messages
        problems += found

    all_keys = set().union(*(set(m) for m in files.values()))
    for loc in LOCALES:
        name = f"{loc}.ftl"
        have = files[loc]
        for key in sorted(expected - set(have)):
            problems.append(f"{name}: key {key} missing")
        for key in sorted(k for k in set(have) - expected if not FACT_WORD_RE.match(k)):
            problems.append(f"{name}: key {key} belongs to no rule or parameter of rules/*/*.toml")
        for key in sorted((all_keys - expected) - set(have)):
            others = [o for o in LOCALES if key in files[o]]
            problems.append(f"{name}: key {key} missing (present in {', '.join(o + '.ftl' for o in others)})")

    en = files["en"]
    for key, value in sorted(en.items()):
        if not key.endswith("-explanation"):
            continue
        facts = set(FACT_RE.findall(value))
        for loc in TRANSLATED:
            other = files[loc].get(key)
            if other is not None and set(FACT_RE.findall(other)) != facts:
                problems.append(
                    f"{loc}.ftl: key {key} uses facts {sorted(set(FACT_RE.findall(other)))}, en.ftl {sorted(facts)}"
                )
    for loc in TRANSLATED:
        name = f"{loc}.ftl"
        for key, value in sorted(files[loc].items()):
            if key in en and value == en[key] and key not in SAME_AS_EN:
                problems.append(f"{name}: key {key} is the same as in en.ftl (not translated?)")
            if not CYRILLIC_RE.search(value) and key not in SAME_AS_EN:
                problems.append(f"{name}: key {key} has no Cyrillic letter")
            for word in LATIN_RUN_RE.findall(FACT_RE.sub("", value)):
                if len(word) >= 4 and word not in LATIN_WORDS:
                    problems.append(f"{name}: key {key} has the Latin word {word!r} (not in LATIN_WORDS)")

    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"rules/locales: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    counts = ", ".join(f"{loc}.ftl {len(files[loc])}" for loc in LOCALES)
    print(f"rules/locales: OK, {len(rules)} rules, {len(expected)} keys per locale ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
