//! The settings file of OCDS Cardinal's `indicators` command: INI with
//! global keys before any section, `[exclusions]`, one `[RNNN]` section per
//! enabled indicator and `[RNNN.NAME]` sections for table settings (e.g.
//! `[R003.procurement_method_details]`).

use std::collections::BTreeMap;

/// A parsed settings file: keys before the first section, and each
/// section's keys, in file order of sections.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ini {
    pub global: BTreeMap<String, String>,
    pub sections: Vec<(String, BTreeMap<String, String>)>,
}

impl Ini {
    pub fn section(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, keys)| keys)
    }
}

/// Parses INI text. Lines starting with `;` or `#` are comments, and so is
/// the rest of a line from ` ;` or ` #` (the form cardinal's docs use,
/// `threshold = 15 # default`). Values may be wrapped in double quotes.
/// A repeated section adds to the earlier one; a repeated key replaces.
pub fn parse(text: &str) -> Result<Ini, String> {
    let mut ini = Ini::default();
    let mut current: Option<usize> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("line {}: unterminated section header", n + 1))?
                .trim();
            if name.is_empty() {
                return Err(format!("line {}: empty section name", n + 1));
            }
            current = Some(match ini.sections.iter().position(|(s, _)| s == name) {
                Some(i) => i,
                None => {
                    ini.sections.push((name.to_owned(), BTreeMap::new()));
                    ini.sections.len() - 1
                }
            });
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected `key = value`", n + 1))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("line {}: empty key", n + 1));
        }
        let value = unquote(value.trim());
        let keys = match current.and_then(|i| ini.sections.get_mut(i)) {
            Some((_, keys)) => keys,
            None => &mut ini.global,
        };
        keys.insert(key.to_owned(), value.to_owned());
    }
    Ok(ini)
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with(';') || t.starts_with('#') {
        return "";
    }
    let cut = [" ;", " #", "\t;", "\t#"]
        .iter()
        .filter_map(|m| line.find(m))
        .min();
    match cut {
        Some(i) => &line[..i],
        None => line,
    }
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v)
}

/// Splits a pipe-separated list (`open|selective`); empty items are dropped.
pub fn pipe_list(v: &str) -> Vec<String> {
    v.split('|')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_comments_and_quotes() {
        let ini = parse(
            "; cardinal settings\n\
             no_price_comparison_procurement_methods = \"NPC\"\n\
             currency = USD\n\
             \n\
             [exclusions]\n\
             procurement_method_details = EXC|Other\n\
             [R003]\n\
             threshold = 10 # default is 15\n\
             procurement_methods = open|selective\n\
             # a comment\n\
             [R003.procurement_method_details]\n\
             Licitación de Seguros = 10\n\
             [R024]\n",
        )
        .unwrap();
        assert_eq!(ini.global["no_price_comparison_procurement_methods"], "NPC");
        assert_eq!(ini.global["currency"], "USD");
        assert_eq!(
            ini.section("exclusions").unwrap()["procurement_method_details"],
            "EXC|Other"
        );
        let r003 = ini.section("R003").unwrap();
        assert_eq!(r003["threshold"], "10");
        assert_eq!(r003["procurement_methods"], "open|selective");
        assert_eq!(
            ini.section("R003.procurement_method_details").unwrap()["Licitación de Seguros"],
            "10"
        );
        assert!(ini.section("R024").unwrap().is_empty());
        let names: Vec<_> = ini.sections.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "exclusions",
                "R003",
                "R003.procurement_method_details",
                "R024"
            ]
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse("[R003\n").unwrap_err(),
            "line 1: unterminated section header"
        );
        assert_eq!(
            parse("x = 1\nnot a pair\n").unwrap_err(),
            "line 2: expected `key = value`"
        );
        assert!(parse("[]").is_err());
    }

    #[test]
    fn pipe_lists() {
        assert_eq!(pipe_list("open|selective"), ["open", "selective"]);
        assert_eq!(pipe_list("open|"), ["open"]);
        assert!(pipe_list("").is_empty());
    }
}
