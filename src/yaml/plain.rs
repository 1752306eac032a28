//! Numbers and booleans as YAML writes them: `nodes: 5` and `bidirectional: true`, never the
//! quoted strings `"5"` and `"true"`. The YAML crate would read a quoted scalar into a number
//! field as the number; vrt refuses it with a located error that says to remove the quotes,
//! so that vrt and the JSON Schema of the format (which wants the YAML types) accept the same
//! files. Used through `#[serde(deserialize_with = …)]` on the spec's number and boolean
//! fields.

use std::fmt;

use serde::de::{Error, Visitor};
use serde::{Deserialize, Deserializer};

use super::Sp;

/// A whole number read only from a YAML number.
struct PlainInt(i64);

/// A boolean read only from a plain `true` or `false`.
struct PlainBool(bool);

/// The start of every message of this module, so that the parser's error conversion
/// (`convert` in `yaml.rs`) reports them as invalid values, not as YAML syntax. A custom
/// serde error keeps the value's location; a serde `invalid_type` would point at the key.
pub(super) const MARK: &str = "\u{1}vrt-plain\u{1}";

/// The end of a message whose value is shown as written in the file, which only the
/// parser's error conversion has: `, found `…`` is appended there.
pub(super) const FOUND_AS_WRITTEN: &str = "\u{1}found\u{1}";

/// The error for a string that is not `expected`: a quoted value that would be right
/// without its quotes says to remove them.
fn wrong<E: Error>(expected: &str, found: &str, quoted_but_right: bool) -> E {
    let found = found.escape_debug();
    if quoted_but_right {
        E::custom(format!(
            "{MARK}expected {expected}, found the quoted string `\"{found}\"`; remove the quotes: `{found}`"
        ))
    } else {
        E::custom(format!("{MARK}expected {expected}, found `{found}`"))
    }
}

/// The error for a number or boolean that is not `expected`, shown as written (`1.0`, not
/// `1`).
fn wrong_scalar<E: Error>(expected: &str) -> E {
    E::custom(format!("{MARK}expected {expected}{FOUND_AS_WRITTEN}"))
}

const INT: &str = "a whole number";
const BOOL: &str = "`true` or `false`";

impl<'de> Deserialize<'de> for PlainInt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PlainInt;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(INT)
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<PlainInt, E> {
                Ok(PlainInt(v))
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<PlainInt, E> {
                i64::try_from(v)
                    .map(PlainInt)
                    .map_err(|_| wrong_scalar(INT))
            }
            fn visit_f64<E: Error>(self, _: f64) -> Result<PlainInt, E> {
                Err(wrong_scalar(INT))
            }
            fn visit_bool<E: Error>(self, _: bool) -> Result<PlainInt, E> {
                Err(wrong_scalar(INT))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<PlainInt, E> {
                Err(wrong(INT, v, v.parse::<i64>().is_ok()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for PlainBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PlainBool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(BOOL)
            }
            fn visit_bool<E: Error>(self, v: bool) -> Result<PlainBool, E> {
                Ok(PlainBool(v))
            }
            fn visit_i64<E: Error>(self, _: i64) -> Result<PlainBool, E> {
                Err(wrong_scalar(BOOL))
            }
            fn visit_u64<E: Error>(self, _: u64) -> Result<PlainBool, E> {
                Err(wrong_scalar(BOOL))
            }
            fn visit_f64<E: Error>(self, _: f64) -> Result<PlainBool, E> {
                Err(wrong_scalar(BOOL))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<PlainBool, E> {
                Err(wrong(BOOL, v, matches!(v, "true" | "false")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Reads a whole number written as a YAML number (`5`, not `"5"`).
pub fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Sp<i64>, D::Error> {
    let v = Sp::<PlainInt>::deserialize(deserializer)?;
    Ok(Sp::new(v.get().0, v.span()))
}

/// [`int`] for an optional key (`null` is absent).
pub fn opt_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Sp<i64>>, D::Error> {
    let v = Option::<Sp<PlainInt>>::deserialize(deserializer)?;
    Ok(v.map(|v| Sp::new(v.get().0, v.span())))
}

/// Reads a boolean written as a plain `true` or `false` (not `"true"`).
pub fn opt_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Sp<bool>>, D::Error> {
    let v = Option::<Sp<PlainBool>>::deserialize(deserializer)?;
    Ok(v.map(|v| Sp::new(v.get().0, v.span())))
}
