//! The committed `schemas/vrt.schema.json` is exactly what `vrt schema` prints, and it is a
//! draft-07 schema that accepts every example (checked with the `jsonschema` validator).

mod common;

#[test]
fn committed_schema_matches_generated() {
    let path = common::root().join("schemas/vrt.schema.json");
    let committed = std::fs::read_to_string(&path).expect("schemas/vrt.schema.json exists");
    let generated = serde_json::to_string_pretty(&vrt::schema()).unwrap() + "\n";
    assert!(
        committed == generated,
        "schemas/vrt.schema.json is stale: run `cargo run -- schema > schemas/vrt.schema.json`"
    );
}

#[test]
fn schema_is_draft_07_with_a_stable_id() {
    let schema = vrt::schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["$id"], vrt::SCHEMA_ID);
    assert_eq!(schema["additionalProperties"], false);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in ["version", "name", "sites", "clusters"] {
        assert!(required.contains(&key), "{key} must be required");
    }
}

#[test]
fn every_example_is_valid_against_the_schema() {
    let validator = jsonschema::draft7::new(&vrt::schema()).expect("the schema compiles");
    let dir = common::root().join("examples");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = vrt::yaml::to_json(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_schema_rejects_what_vrt_rejects() {
    let validator = jsonschema::draft7::new(&vrt::schema()).expect("the schema compiles");
    for bad in [
        "version: 1\nname: x\nsites: [{name: a}]\nclusters: [{name: c, site: a, role: leader}]\n",
        "version: 1\nname: x\nsites: [{name: a, colour: red}]\nclusters: [{name: c, site: a, role: primary}]\n",
        "version: 1\nname: X\nsites: [{name: a}]\nclusters: [{name: c, site: a, role: primary}]\n",
        "version: 1\nname: x\nsites: []\nclusters: [{name: c, site: a, role: primary}]\n",
    ] {
        let value = vrt::yaml::to_json(bad).unwrap();
        assert!(!validator.is_valid(&value), "schema accepted: {bad}");
    }
}

/// Every way of changing one key or value in `value`, each applied alone to a copy: each
/// value replaced by `null`, each key removed (a required key dropped), an unknown key added
/// to each mapping, and a value of the wrong type in each place: a mapping or list replaced
/// by a string, a string by a word no enumeration holds (`zzz`) and by a mapping, a number by
/// the same number quoted (`"5"`) and by a boolean, a boolean by the same boolean quoted
/// (`"true"`) and by a number. JSON strings are quoted YAML scalars, so a quoted number here is
/// what `nodes: "5"` is in a topology file.
fn mutations(value: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    use serde_json::Value;
    fn walk(path: &str, v: &Value, root: &Value, out: &mut Vec<(String, Value)>) {
        let mut replace = |what: &str, with: Option<Value>| {
            let mut copy = root.clone();
            let (parent, key) = path.rsplit_once('/').expect("not the root");
            let target = copy.pointer_mut(parent).expect("the parent exists");
            match (target, with) {
                (Value::Object(m), Some(w)) => {
                    m.insert(key.to_string(), w);
                }
                (Value::Object(m), None) => {
                    m.remove(key);
                }
                (Value::Array(a), Some(w)) => a[key.parse::<usize>().unwrap()] = w,
                (Value::Array(a), None) => {
                    a.remove(key.parse::<usize>().unwrap());
                }
                _ => unreachable!("a parent is a mapping or a list"),
            }
            out.push((format!("{what} at {path}"), copy));
        };
        if !path.is_empty() {
            replace("null", Some(Value::Null));
            if root
                .pointer(path.rsplit_once('/').unwrap().0)
                .is_some_and(Value::is_object)
            {
                replace("removed key", None);
            }
            let wrong: Vec<(&str, Value)> = match v {
                Value::Object(_) | Value::Array(_) => vec![("a string", Value::from("x"))],
                Value::String(_) => vec![
                    ("an unknown word", Value::from("zzz")),
                    ("a mapping", serde_json::json!({"zzz": 1})),
                ],
                Value::Number(n) => vec![
                    ("the quoted number", Value::String(n.to_string())),
                    ("a boolean", Value::Bool(true)),
                ],
                Value::Bool(b) => vec![
                    ("the quoted boolean", Value::String(b.to_string())),
                    ("a number", Value::from(1)),
                ],
                Value::Null => vec![],
            };
            for (what, with) in wrong {
                replace(what, Some(with));
            }
        }
        match v {
            Value::Object(m) => {
                let mut copy = root.clone();
                if let Some(Value::Object(target)) = copy.pointer_mut(path) {
                    target.insert("colour".into(), Value::String("red".into()));
                }
                out.push((format!("unknown key at {path}"), copy));
                for (k, child) in m {
                    walk(&format!("{path}/{k}"), child, root, out);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    walk(&format!("{path}/{i}"), child, root, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", value, value, &mut out);
    out
}

/// Whether vrt refuses a value of `source` once the file is loaded: the grammars of
/// versions, addresses, CIDRs, mount paths and port ranges are checked after loading
/// (VRT004, located), not by the YAML reader.
fn vrt_refuses_a_value(source: &vrt::source::Source) -> bool {
    vrt::topology(source, vrt::yaml::Limits::default())
        .is_err_and(|findings| findings.iter().any(|f| f.rule.code == "VRT004"))
}

/// One truth: over every mutation of every example (see [`mutations`]), the schema accepts a
/// file exactly when vrt's loader reads it (the file's shape and its typed values: keys,
/// types, enumerations, quoted numbers and booleans). A string the schema refuses by its
/// grammar (a version, a mount path, a port range) may pass the loader only when vrt refuses
/// it right after (VRT004). References and other checks that need the whole file are beyond
/// a JSON Schema and are not compared. JSON is YAML, so the mutated document is handed to
/// vrt as JSON text, its strings as quoted scalars.
#[test]
fn the_schema_and_vrt_accept_the_same_mutated_examples() {
    let validator = jsonschema::draft7::new(&vrt::schema()).expect("the schema compiles");
    let mut disagreements = Vec::new();
    let mut checked = 0;
    let mut rejected = 0;
    let mut quoted = 0;
    for path in common::examples() {
        let text = std::fs::read_to_string(common::root().join(&path)).unwrap();
        let value = vrt::yaml::to_json(&text).unwrap();
        for (what, mutated) in mutations(&value) {
            let yaml = serde_json::to_string(&mutated).unwrap();
            let source = vrt::source::Source::new("m.yaml", &yaml);
            let vrt_ok = vrt::load::parse(&source, vrt::yaml::Limits::default()).is_ok();
            let schema_ok = validator.is_valid(&mutated);
            checked += 1;
            rejected += usize::from(!vrt_ok);
            quoted += usize::from(what.starts_with("the quoted"));
            let grammar = what.starts_with("an unknown word") && vrt_refuses_a_value(&source);
            if vrt_ok != schema_ok && !(vrt_ok && !schema_ok && grammar) {
                disagreements.push(format!(
                    "{path}: {what}: vrt {}, schema {}",
                    if vrt_ok { "accepts" } else { "rejects" },
                    if schema_ok { "accepts" } else { "rejects" }
                ));
            }
        }
    }
    assert!(checked > 2000, "only {checked} mutations");
    assert!(quoted > 50, "only {quoted} quoted numbers and booleans");
    assert!(
        rejected > checked / 2,
        "only {rejected} of {checked} mutations are refused: the mutations are too mild"
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// A quoted number or boolean is refused where the value is, with the fix in the message.
#[test]
fn quoted_numbers_and_booleans_are_refused_at_the_value() {
    let text = "version: 1\nname: x\nsites: [{name: a}]\nclusters:\n  - {name: c, site: a, role: primary, nodes: \"5\"}\nnetwork:\n  firewall:\n    - {name: r, from: a, to: a, ports: [8201], bidirectional: \"true\"}\n";
    let dir = std::env::temp_dir().join(format!("vrt-quoted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("q.yaml");
    for (text, line, column, says) in [
        (
            text.to_string(),
            5,
            46,
            "found the quoted string `\"5\"`; remove the quotes: `5`",
        ),
        (
            text.replace("nodes: \"5\"", "nodes: 5"),
            8,
            63,
            "expected `true` or `false`, found the quoted string `\"true\"`; remove the quotes: `true`",
        ),
        (
            text.replace("version: 1", "version: \"1\""),
            1,
            10,
            "remove the quotes: `1`",
        ),
    ] {
        std::fs::write(&file, &text).unwrap();
        let (code, out, _) =
            common::run(&["validate", "--format", "json", &file.to_string_lossy()]);
        assert_eq!(code, 1, "{out}");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let f = &doc["findings"][0];
        assert_eq!(f["code"], "VRT004", "{doc:#}");
        assert!(f["message"].as_str().unwrap().contains(says), "{doc:#}");
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(line), Some(column)),
            "{doc:#}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
