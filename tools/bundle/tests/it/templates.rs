//! Site templates: a user's file overrides the built-in one; a broken one names file and line.

use crate::fixtures;

fn options_with_templates(dir: &std::path::Path, name: &str, source: &str) -> std::path::PathBuf {
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).expect("create templates");
    std::fs::write(templates.join(name), source).expect("write template");
    let options = dir.join("options.json");
    let json = serde_json::json!({ "templates": templates });
    std::fs::write(&options, json.to_string()).expect("write options");
    options
}

#[test]
fn a_template_override_changes_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = options_with_templates(
        dir.path(),
        "index.html",
        "<p>自定义首页</p>{% for d in districts %}<h2>{{ d.name }}</h2>{% endfor %}",
    );
    let output = fixtures::run_bundle(dir.path(), &["--options", options.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let index = std::fs::read_to_string(dir.path().join("out/site/index.html")).expect("read index");
    assert!(index.starts_with("<p>自定义首页</p>") && index.contains("<h2>钱塘区</h2>"), "{index}");
    // Other templates keep their built-in version.
    let search = std::fs::read_to_string(dir.path().join("out/site/search.html")).expect("read search");
    assert!(search.contains("data/search/meta.js"));
}

#[test]
fn a_broken_template_names_its_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = options_with_templates(dir.path(), "article.html", "<h1>ok</h1>\n<p>\n{% if %}\n");
    let output = fixtures::run_bundle(dir.path(), &["--options", options.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!("{}:3:", dir.path().join("templates").join("article.html").display());
    assert!(stderr.contains(&expected), "{stderr}");
}
