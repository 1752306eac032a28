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
