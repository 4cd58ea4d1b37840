//! `https:` against a real TLS server on 127.0.0.1 whose certificate comes
//! from a CA made for the test: the load fails until the CA is given with
//! `net.extra_root_certificates`, and `net.host_rules` sends a test host
//! name to 127.0.0.1 (the web-platform-tests runner's setup).

// Only the plain-HTTP server of the shared helpers is used here.
#[allow(dead_code)]
mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::thread;

use base::Prefs;
use net::{LoadError, Loader, LoaderConfig};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use support::TestServer;
use url::Url;

/// A CA (as PEM) and an https server on 127.0.0.1 with a certificate it
/// issued for `wpt.test` and `www.wpt.test`. The server answers each
/// connection with `hello` until the test ends.
fn start_https_server() -> (String, SocketAddr) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "bgsync test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let server_params =
        CertificateParams::new(vec!["wpt.test".to_owned(), "www.wpt.test".to_owned()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();

    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(server_cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    )
    .unwrap();
    let config = Arc::new(config);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    // Detached: the process ends with the test binary.
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || {
                let connection = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut request = Vec::new();
                let mut buffer = [0; 1024];
                // A client that rejects the certificate ends the handshake:
                // reading fails and the connection is dropped.
                while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                    match tls.read(&mut buffer) {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let _ = tls.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\
                      Connection: close\r\n\r\nhello",
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (ca_cert.pem(), address)
}

fn loader(prefs: &[String]) -> Loader {
    let prefs = Prefs::with_overrides(prefs).unwrap();
    Loader::new(LoaderConfig::try_from_prefs(&prefs).unwrap())
}

fn host_rule() -> String {
    "net.host_rules=MAP *.wpt.test 127.0.0.1, MAP wpt.test 127.0.0.1".to_owned()
}

fn ca_pref(path: &Path) -> String {
    format!("net.extra_root_certificates={}", path.display())
}

#[test]
fn https_needs_the_extra_root_certificate() {
    let (ca_pem, address) = start_https_server();
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca_pem).unwrap();
    let url = Url::parse(&format!("https://wpt.test:{}/x", address.port())).unwrap();

    // Mozilla's roots alone do not know the test CA.
    let error = loader(&[host_rule()]).load(&url).unwrap_err();
    assert!(matches!(error, LoadError::Network(_)), "{error:?}");

    let resource = loader(&[host_rule(), ca_pref(&ca_path)])
        .load(&url)
        .unwrap();
    assert_eq!(resource.status, 200);
    assert_eq!(resource.body, b"hello");
    // The URL keeps its host: only the connection went to 127.0.0.1.
    assert_eq!(resource.url, url);

    // A subdomain through the `*.` rule, checked against the same certificate.
    let www = Url::parse(&format!("https://www.wpt.test:{}/", address.port())).unwrap();
    let resource = loader(&[host_rule(), ca_pref(&ca_path)])
        .load(&www)
        .unwrap();
    assert_eq!(resource.body, b"hello");
}

#[test]
fn the_certificate_must_name_the_host() {
    let (ca_pem, address) = start_https_server();
    let dir = tempfile::tempdir().unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca_pem).unwrap();
    // 127.0.0.1 itself is not in the certificate: trusting the CA does not
    // turn the name check off.
    let url = Url::parse(&format!("https://127.0.0.1:{}/", address.port())).unwrap();
    let error = loader(&[ca_pref(&ca_path)]).load(&url).unwrap_err();
    assert!(matches!(error, LoadError::Network(_)), "{error:?}");
}

#[test]
fn host_rules_send_http_to_the_mapped_address() {
    let server = TestServer::start();
    let port = server.url("/").port().unwrap();
    let url = Url::parse(&format!("http://web-platform.test:{port}/hello")).unwrap();
    let rules = "net.host_rules=MAP web-platform.test 127.0.0.1".to_owned();
    let resource = loader(&[rules]).load(&url).unwrap();
    assert_eq!(resource.status, 200);
    assert_eq!(resource.body, b"<p>hello</p>");
    assert_eq!(resource.url, url);
}
