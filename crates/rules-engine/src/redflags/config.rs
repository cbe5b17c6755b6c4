//! What a run computes: the shipped procurement rules, and cardinal's
//! settings file applied to them (global keys, `[exclusions]`, one
//! section per indicator).

use super::ini;
use crate::library::{self, LibraryRule, ParamType};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

/// The procurement rules shipped with the engine (`rules/procurement/`),
/// used when no `--rules` directory is given.
const BUILTIN: [(&str, &str, &str); 11] = [
    builtin!("R003"),
    builtin!("R018"),
    builtin!("R024"),
    builtin!("R025"),
    builtin!("R028"),
    builtin!("R030"),
    builtin!("R035"),
    builtin!("R036"),
    builtin!("R038"),
    builtin!("R048"),
    builtin!("R058"),
];

macro_rules! builtin {
    ($id:literal) => {
        (
            $id,
            include_str!(concat!("../../../../rules/procurement/", $id, ".toml")),
            include_str!(concat!("../../../../rules/procurement/", $id, ".rhai")),
        )
    };
}
use builtin;

/// The shipped procurement rules.
pub fn builtin_rules() -> Result<Vec<LibraryRule>, String> {
    BUILTIN
        .iter()
        .map(|(id, meta, script)| {
            let path = Path::new("rules/procurement").join(format!("{id}.toml"));
            library::parse_rule(meta, id, Ok((*script).to_owned()), &path)
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Settings that apply to every indicator (cardinal's global keys and
/// `[exclusions]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Global {
    /// The main currency; `None`: the first currency observed.
    pub currency: Option<String>,
    /// Procurement method details whose prices are not compared.
    pub no_price_comparison_procurement_methods: HashSet<String>,
    /// If not empty, the only procurement method details whose prices are.
    pub price_comparison_procurement_methods: HashSet<String>,
    /// Contracting processes with these procurement method details are
    /// skipped entirely.
    pub excluded_procurement_method_details: HashSet<String>,
}

/// What to compute: global settings and the enabled rules, their
/// parameters already resolved (defaults overridden by the settings file).
#[derive(Debug, Clone)]
pub struct Config {
    pub global: Global,
    pub rules: Vec<LibraryRule>,
    /// Worker threads for the pass (1: everything on the calling thread).
    /// The output does not depend on it.
    pub threads: usize,
}

impl Config {
    /// Every rule enabled with its defaults, no global settings, one
    /// worker per available core.
    pub fn new(rules: Vec<LibraryRule>) -> Self {
        Config {
            global: Global::default(),
            rules,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }

    /// Applies a cardinal settings file: global keys, `[exclusions]`, and
    /// one section per indicator. As in cardinal, only the indicators
    /// with a section are enabled. Returns notes on what the file holds
    /// that is not used here (the settings of cardinal's other commands,
    /// indicators not implemented, keys no rule declares), which is
    /// ignored rather than refused: the file `ocdscardinal init` writes,
    /// filled in for every command, must be usable as it is. A value of
    /// a setting that is used must still be valid.
    pub fn with_settings(mut self, text: &str) -> Result<(Self, Vec<String>), String> {
        let ini = ini::parse(text)?;
        let mut notes = Vec::new();
        let unused =
            |where_: &str, key: &str| format!("{where_}setting {key:?} is not used here; ignored");
        for (k, v) in &ini.global {
            match k.as_str() {
                "currency" => self.global.currency = Some(v.clone()).filter(|v| !v.is_empty()),
                "no_price_comparison_procurement_methods" => {
                    self.global.no_price_comparison_procurement_methods =
                        ini::pipe_list(v).into_iter().collect();
                }
                "price_comparison_procurement_methods" => {
                    self.global.price_comparison_procurement_methods =
                        ini::pipe_list(v).into_iter().collect();
                }
                _ => notes.push(unused("", k)),
            }
        }
        let mut enabled = BTreeSet::new();
        // Sections of other commands (`prepare`'s `[defaults]`,
        // `[codelists.*]`, ...): noted together, they are expected.
        let mut other_sections = Vec::new();
        for (section, keys) in &ini.sections {
            let (head, sub) = match section.split_once('.') {
                Some((h, s)) => (h, Some(s)),
                None => (section.as_str(), None),
            };
            if section == "exclusions" {
                for (k, v) in keys {
                    if k == "procurement_method_details" {
                        self.global.excluded_procurement_method_details =
                            ini::pipe_list(v).into_iter().collect();
                    } else {
                        notes.push(unused("[exclusions]: ", k));
                    }
                }
                continue;
            }
            let Some(rule) = self.rules.iter_mut().find(|r| r.meta.id == head) else {
                if is_indicator_code(head) {
                    notes.push(format!(
                        "[{section}]: indicator {head} is not implemented; skipped"
                    ));
                } else {
                    other_sections.push(format!("[{section}]"));
                }
                continue;
            };
            enabled.insert(head.to_owned());
            match sub {
                None => {
                    for (k, v) in keys {
                        if rule.meta.params.contains_key(k) {
                            set_param(rule, k, v)?;
                        } else {
                            notes.push(unused(&format!("[{section}]: "), k));
                        }
                    }
                }
                Some(name) if is_table_param(rule, name) => set_table_param(rule, name, keys)?,
                Some(name) => notes.push(format!(
                    "[{section}]: {head} has no table setting {name:?}; ignored"
                )),
            }
        }
        if !other_sections.is_empty() {
            notes.push(format!(
                "{} not used here (settings of other ocdscardinal commands); ignored",
                other_sections.join(", ")
            ));
        }
        self.rules.retain(|r| enabled.contains(&r.meta.id));
        Ok((self, notes))
    }
}

fn is_table_param(rule: &LibraryRule, name: &str) -> bool {
    rule.meta
        .params
        .get(name)
        .is_some_and(|s| s.ty == ParamType::IntegerMap)
}

fn is_indicator_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4 && matches!(b[0], b'R' | b'U') && b[1..].iter().all(u8::is_ascii_digit)
}

fn set_param(rule: &mut LibraryRule, key: &str, raw: &str) -> Result<(), String> {
    let id = &rule.meta.id;
    let spec = rule
        .meta
        .params
        .get(key)
        .ok_or_else(|| format!("[{id}]: unknown setting {key:?}"))?;
    let value = match spec.ty {
        ParamType::Integer => Value::from(
            raw.parse::<i64>()
                .map_err(|_| format!("[{id}] {key}: {raw:?} is not an integer"))?,
        ),
        ParamType::Bool => Value::from(
            raw.parse::<bool>()
                .map_err(|_| format!("[{id}] {key}: {raw:?} is not true or false"))?,
        ),
        ParamType::IntegerMap => {
            return Err(format!(
                "[{id}] {key}: set it in a [{id}.{key}] section of `name = integer` lines"
            ));
        }
        ParamType::Money | ParamType::Decimal | ParamType::OptionalDecimal | ParamType::String => {
            Value::String(raw.to_owned())
        }
    };
    let value = library::check_param(spec, &value).map_err(|e| format!("[{id}] {key}: {e}"))?;
    rule.source.params.insert(key.to_owned(), value);
    Ok(())
}

fn set_table_param(
    rule: &mut LibraryRule,
    name: &str,
    keys: &BTreeMap<String, String>,
) -> Result<(), String> {
    let id = &rule.meta.id;
    let spec = rule
        .meta
        .params
        .get(name)
        .filter(|s| s.ty == ParamType::IntegerMap)
        .ok_or_else(|| format!("unknown section [{id}.{name}]"))?;
    let mut table = Map::new();
    for (k, v) in keys {
        let i = v
            .parse::<i64>()
            .map_err(|_| format!("[{id}.{name}] {k}: {v:?} is not an integer"))?;
        table.insert(k.clone(), Value::from(i));
    }
    let value = library::check_param(spec, &Value::Object(table))
        .map_err(|e| format!("[{id}.{name}]: {e}"))?;
    rule.source.params.insert(name.to_owned(), value);
    Ok(())
}
