//! Loads answered locally: `file:`, `data:`, `about:blank`, and schemes we
//! do not load at all.

use std::fs;

use net::{LoadError, Loader, LoaderConfig};
use url::Url;

#[test]
fn existing_file_loads_with_type_from_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.html");
    fs::write(&path, "<h1>outbox</h1>").unwrap();
    let url = Url::from_file_path(&path).unwrap();

    let resource = Loader::default().load(&url).unwrap();
    assert_eq!(resource.url, url);
    assert_eq!(resource.status, 200);
    assert_eq!(resource.status_text, "OK");
    assert_eq!(resource.content_type.as_deref(), Some("text/html"));
    assert_eq!(resource.charset, None);
    assert_eq!(resource.header("content-type"), Some("text/html"));
    assert_eq!(resource.body, b"<h1>outbox</h1>");
    assert!(!resource.redirected);
}

#[test]
fn script_and_unknown_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sw.js");
    fs::write(&script, "self.onsync = () => {};").unwrap();
    let unknown = dir.path().join("notes.unknownext");
    fs::write(&unknown, "?").unwrap();

    let loader = Loader::default();
    let resource = loader.load(&Url::from_file_path(&script).unwrap()).unwrap();
    assert_eq!(resource.content_type.as_deref(), Some("text/javascript"));
    let resource = loader
        .load(&Url::from_file_path(&unknown).unwrap())
        .unwrap();
    assert_eq!(resource.content_type, None);
    assert!(resource.headers.is_empty());
}

#[test]
fn missing_file_is_file_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.html");
    match Loader::default().load(&Url::from_file_path(&path).unwrap()) {
        Err(LoadError::FileNotFound(reported)) => assert_eq!(reported, path),
        other => panic!("expected FileNotFound, got {other:?}"),
    }
}

#[test]
fn directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = Url::from_directory_path(dir.path()).unwrap();
    match Loader::default().load(&url) {
        Err(LoadError::IsADirectory(reported)) => assert_eq!(reported, dir.path()),
        other => panic!("expected IsADirectory, got {other:?}"),
    }
}

#[test]
fn file_over_the_limit_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    fs::write(&path, [b'x'; 101]).unwrap();
    let loader = Loader::new(LoaderConfig {
        max_response_bytes: 100,
        ..LoaderConfig::default()
    });
    assert!(matches!(
        loader.load(&Url::from_file_path(&path).unwrap()),
        Err(LoadError::TooLarge { limit: 100 })
    ));
}

#[test]
fn file_url_with_a_remote_host_is_invalid() {
    let url = Url::parse("file://example.com/share/a.html").unwrap();
    assert!(matches!(
        Loader::default().load(&url),
        Err(LoadError::InvalidUrl(_))
    ));
}

#[test]
fn percent_encoded_data_url() {
    let url = Url::parse("data:text/html;charset=UTF-8,%3Cp%3Ehi%20there%3C%2Fp%3E").unwrap();
    let resource = Loader::default().load(&url).unwrap();
    assert_eq!(resource.status, 200);
    assert_eq!(resource.content_type.as_deref(), Some("text/html"));
    assert_eq!(resource.charset.as_deref(), Some("utf-8"));
    assert_eq!(resource.body, b"<p>hi there</p>");
}

#[test]
fn base64_data_url() {
    let url = Url::parse("data:application/json;base64,eyJvayI6dHJ1ZX0=").unwrap();
    let resource = Loader::default().load(&url).unwrap();
    assert_eq!(resource.content_type.as_deref(), Some("application/json"));
    assert_eq!(resource.body, br#"{"ok":true}"#);
}

#[test]
fn data_url_without_type_is_us_ascii_text() {
    let resource = Loader::default()
        .load(&Url::parse("data:,plain").unwrap())
        .unwrap();
    assert_eq!(resource.content_type.as_deref(), Some("text/plain"));
    assert_eq!(resource.charset.as_deref(), Some("us-ascii"));
    assert_eq!(resource.body, b"plain");
}

#[test]
fn data_url_with_bad_base64_is_invalid() {
    let url = Url::parse("data:text/plain;base64,@@@").unwrap();
    assert!(matches!(
        Loader::default().load(&url),
        Err(LoadError::InvalidUrl(_))
    ));
}

#[test]
fn data_url_without_comma_is_invalid() {
    let url = Url::parse("data:text/plain").unwrap();
    assert!(matches!(
        Loader::default().load(&url),
        Err(LoadError::InvalidUrl(_))
    ));
}

#[test]
fn data_url_over_the_limit_is_too_large() {
    let loader = Loader::new(LoaderConfig {
        max_response_bytes: 4,
        ..LoaderConfig::default()
    });
    assert!(matches!(
        loader.load(&Url::parse("data:,12345").unwrap()),
        Err(LoadError::TooLarge { limit: 4 })
    ));
    assert_eq!(
        loader
            .load(&Url::parse("data:,1234").unwrap())
            .unwrap()
            .body,
        b"1234"
    );
}

#[test]
fn about_blank_is_an_empty_html_document() {
    let resource = Loader::default()
        .load(&Url::parse("about:blank").unwrap())
        .unwrap();
    assert_eq!(resource.status, 200);
    assert_eq!(resource.content_type.as_deref(), Some("text/html"));
    assert!(resource.body.is_empty());
}

#[test]
fn unsupported_scheme_is_rejected() {
    for (url, scheme) in [
        ("ftp://example.com/file", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("mailto:someone@example.com", "mailto"),
    ] {
        match Loader::default().load(&Url::parse(url).unwrap()) {
            Err(LoadError::UnsupportedScheme(reported)) => assert_eq!(reported, scheme),
            other => panic!("{url}: expected UnsupportedScheme, got {other:?}"),
        }
    }
}
