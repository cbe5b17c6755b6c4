//! The few columns of an OCDS compiled release that the procurement red
//! flags read, deserialized leniently and without building a JSON tree.
//!
//! Every field is optional and a field of the wrong JSON type reads as
//! missing (a number where an id should be a string, an object where a list
//! should be), so one odd release never stops a run: the indicators then
//! skip it exactly as they skip a release without that field.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// Values of the wrong type are consumed and ignored.
macro_rules! ignore_scalars {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// A JSON string, or `None` for any other value. Borrowed from the line
/// when it has no escapes (almost always), so reading a release copies
/// none of its strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl Str<'_> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            ignore_scalars!(Str(None));
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v))))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Str<'a>, E> {
                Ok(Str(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Str<'a>, E> {
                Ok(Str(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Str<'a>, E> {
                Ok(Str(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Str<'a>, A::Error> {
                drain_map(map).map(|()| Str(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Str<'a>, A::Error> {
                drain_seq(seq).map(|()| Str(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON number: `f` for any number, `u` only for a non-negative integer
/// written without a fraction or exponent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Num {
    pub f: Option<f64>,
    pub u: Option<u64>,
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            ignore_scalars!(Num::default());
            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num {
                    f: Some(v as f64),
                    u: u64::try_from(v).ok(),
                })
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num {
                    f: Some(v as f64),
                    u: Some(v),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num {
                    f: Some(v),
                    u: None,
                })
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Num, E> {
                Ok(Num::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Num, A::Error> {
                drain_map(map).map(|()| Num::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Num, A::Error> {
                drain_seq(seq).map(|()| Num::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON object read as `T`, or `None` for any other value.
#[derive(Debug, Clone)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<T> Obj<T> {
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            ignore_scalars!(Obj(None));
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Obj<T>, A::Error> {
                drain_seq(seq).map(|()| Obj(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON array whose elements are read as `T` where they are objects
/// (`None` where not), or `present == false` for any other value.
#[derive(Debug, Clone)]
pub struct List<T> {
    pub present: bool,
    pub items: Vec<Option<T>>,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List {
            present: false,
            items: Vec::new(),
        }
    }
}

impl<T> List<T> {
    /// The elements that are objects.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().flatten()
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            ignore_scalars!(List::default());
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<List<T>, E> {
                Ok(List::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List<T>, A::Error> {
                drain_map(map).map(|()| List::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(Obj(item)) = seq.next_element::<Obj<T>>()? {
                    items.push(item);
                }
                Ok(List {
                    present: true,
                    items,
                })
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Release<'a> {
    #[serde(borrow)]
    pub ocid: Str<'a>,
    #[serde(borrow)]
    pub tender: Obj<Tender<'a>>,
    #[serde(borrow)]
    pub bids: Obj<Bids<'a>>,
    #[serde(borrow)]
    pub awards: List<Award<'a>>,
    #[serde(borrow)]
    pub buyer: Obj<Org<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Tender<'a> {
    #[serde(borrow)]
    pub status: Str<'a>,
    #[serde(borrow)]
    pub procurement_method: Str<'a>,
    #[serde(borrow)]
    pub procurement_method_details: Str<'a>,
    #[serde(borrow)]
    pub tender_period: Obj<Period<'a>>,
    pub number_of_tenderers: Num,
    #[serde(borrow)]
    pub procuring_entity: Obj<Org<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Period<'a> {
    #[serde(borrow)]
    pub start_date: Str<'a>,
    #[serde(borrow)]
    pub end_date: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Bids<'a> {
    #[serde(borrow)]
    pub details: List<Bid<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Bid<'a> {
    #[serde(borrow)]
    pub status: Str<'a>,
    #[serde(borrow)]
    pub date: Str<'a>,
    #[serde(borrow)]
    pub value: Obj<Amount<'a>>,
    #[serde(borrow)]
    pub tenderers: List<Org<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Amount<'a> {
    pub amount: Num,
    #[serde(borrow)]
    pub currency: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Award<'a> {
    #[serde(borrow)]
    pub status: Str<'a>,
    #[serde(borrow)]
    pub suppliers: List<Org<'a>>,
    #[serde(borrow)]
    pub items: List<Item<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Item<'a> {
    #[serde(borrow)]
    pub classification: Obj<Classification<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Classification<'a> {
    #[serde(borrow)]
    pub id: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Org<'a> {
    #[serde(borrow)]
    pub id: Str<'a>,
}

impl Org<'_> {
    pub fn id(&self) -> Option<&str> {
        self.id.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_read_as_missing() {
        let r: Release = serde_json::from_str(
            r#"{"ocid":"x","tender":"oops","buyer":{"id":7},"awards":{"a":1},
                "bids":{"details":[1,{"status":"valid","tenderers":[{"id":"A"},"B"],"value":{"amount":"3"}}]},
                "unknown":{"deep":[1,2,{"x":null}]}}"#,
        )
        .unwrap();
        assert_eq!(r.ocid.get(), Some("x"));
        assert!(r.tender.get().is_none());
        assert!(r.buyer.get().unwrap().id().is_none());
        assert!(!r.awards.present);
        let details = &r.bids.get().unwrap().details;
        assert_eq!(details.len(), 2);
        let bid = details.iter().next().unwrap();
        assert_eq!(bid.tenderers.len(), 2);
        assert_eq!(bid.tenderers.iter().count(), 1);
        assert!(bid.value.get().unwrap().amount.f.is_none());
    }

    #[test]
    fn strings_are_borrowed_unless_escaped() {
        let line = r#"{"ocid":"ocds-1","buyer":{"id":"B\u0031"}}"#;
        let r: Release<'_> = serde_json::from_str(line).unwrap();
        assert!(matches!(r.ocid.0, Some(Cow::Borrowed("ocds-1"))));
        let buyer = r.buyer.get().unwrap();
        assert!(matches!(buyer.id.0, Some(Cow::Owned(_))));
        assert_eq!(buyer.id(), Some("B1"));
    }

    #[test]
    fn integers_and_floats() {
        let t: Tender = serde_json::from_str(r#"{"numberOfTenderers":1}"#).unwrap();
        assert_eq!(t.number_of_tenderers.u, Some(1));
        let t: Tender = serde_json::from_str(r#"{"numberOfTenderers":1.0}"#).unwrap();
        assert_eq!(t.number_of_tenderers.u, None);
        assert_eq!(t.number_of_tenderers.f, Some(1.0));
    }
}
