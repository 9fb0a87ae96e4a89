//! Values that may carry their source: `berths = 5` or `berths = { value = 5, source = "seed 003:106" }`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A scenario value with an optional provenance note (a seed `file:line`, a paper, or
/// `assumption:<id>` naming an `[[assumption]]` entry).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it comes from, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl<T> Sourced<T> {
    /// A value without a source (defaults).
    pub fn bare(value: T) -> Self {
        Self {
            value,
            source: None,
        }
    }
}

impl<T: Default> Default for Sourced<T> {
    fn default() -> Self {
        Self::bare(T::default())
    }
}

impl<T: Copy> Sourced<T> {
    /// The value itself.
    pub fn get(&self) -> T {
        self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sourced<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourcedVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> SourcedVisitor<T> {
            fn bare<E: de::Error>(value: Result<T, E>) -> Result<Sourced<T>, E> {
                value.map(Sourced::bare)
            }
        }

        impl<'de, T: Deserialize<'de>> Visitor<'de> for SourcedVisitor<T> {
            type Value = Sourced<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value, or a table { value = ..., source = \"...\" }")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Self::bare(T::deserialize(v.into_deserializer()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Self::bare(T::deserialize(v.into_deserializer()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Self::bare(T::deserialize(v.into_deserializer()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Self::bare(T::deserialize(v.into_deserializer()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Self::bare(T::deserialize(v.into_deserializer()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Self::bare(T::deserialize(v.into_deserializer()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Sourced::bare)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut value, mut source) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "value" => value = Some(map.next_value::<T>()?),
                        "source" => source = Some(map.next_value::<String>()?),
                        "note" => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["value", "source", "note"],
                            ));
                        }
                    }
                }
                let value = value.ok_or_else(|| de::Error::missing_field("value"))?;
                Ok(Sourced { value, source })
            }
        }

        deserializer.deserialize_any(SourcedVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        x: Sourced<f64>,
        n: Sourced<u32>,
    }

    #[test]
    fn bare_and_sourced_forms() {
        let h: Holder =
            toml::from_str("x = 2.5\nn = { value = 5, source = \"seed 003:106\" }").unwrap();
        assert_eq!(h.x, Sourced::bare(2.5));
        assert_eq!(
            h.n,
            Sourced {
                value: 5,
                source: Some("seed 003:106".into())
            }
        );
        let err = toml::from_str::<Holder>("x = { valeu = 1 }\nn = 1")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("valeu"), "{err}");
    }
}
