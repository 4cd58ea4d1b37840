//! Extra trusted CA certificates (pref `net.extra_root_certificates`): a PEM
//! file whose certificates https loads trust on top of Mozilla's roots. The
//! web-platform-tests runner makes a CA for each run and passes it here, so
//! `https://web-platform.test:PORT` verifies without turning checks off.
//!
//! ureq offers either its built-in Mozilla roots (`RootCerts::WebPki`) or a
//! set of its caller's (`RootCerts::Specific`), which replaces them. So with
//! extra certificates the set is given in full: the same Mozilla roots as
//! whole certificates (`webpki-root-certs`, the sibling of the
//! `webpki-roots` that ureq builds in), then the extra ones.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use ureq::tls::{parse_pem, Certificate, PemItem, RootCerts};

/// Why the file named by `net.extra_root_certificates` cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("pref \"net.extra_root_certificates\": {path}: {reason}")]
pub struct RootCertificatesError {
    path: PathBuf,
    reason: String,
}

/// Reads every certificate of the PEM file at `path`, as DER. Fails when the
/// file cannot be read, is not PEM, holds no certificate, or holds one that
/// is no usable trust anchor.
pub fn load_pem_file(path: &Path) -> Result<Vec<Vec<u8>>, RootCertificatesError> {
    let error = |reason: String| RootCertificatesError {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|io| error(io.to_string()))?;
    let mut certificates = Vec::new();
    for item in parse_pem(&pem) {
        // A key or anything else next to the certificates is not ours to use.
        if let PemItem::Certificate(certificate) =
            item.map_err(|pem_error| error(format!("not a PEM file: {pem_error}")))?
        {
            certificates.push(certificate.der().to_vec());
        }
    }
    if certificates.is_empty() {
        return Err(error("no PEM certificate in the file".to_owned()));
    }
    // rustls would skip a certificate it cannot parse without a word (ureq
    // uses `add_parsable_certificates`): check each one here instead.
    let mut store = rustls::RootCertStore::empty();
    for (index, der) in certificates.iter().enumerate() {
        store
            .add(CertificateDer::from(der.as_slice()))
            .map_err(|tls| error(format!("certificate {} is unusable: {tls}", index + 1)))?;
    }
    Ok(certificates)
}

/// The roots an agent trusts: ureq's default (Mozilla's) without extra
/// certificates, otherwise Mozilla's and the extra ones.
pub(crate) fn root_certs(extra: &[Vec<u8>]) -> RootCerts {
    if extra.is_empty() {
        return RootCerts::WebPki;
    }
    let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()));
    let extra = extra
        .iter()
        .map(|der| Certificate::from_der(der).to_owned());
    RootCerts::Specific(Arc::new(mozilla.chain(extra).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_extra_certificates_the_default_roots_stay() {
        assert!(matches!(root_certs(&[]), RootCerts::WebPki));
    }

    #[test]
    fn extra_certificates_come_after_mozillas() {
        let extra = vec![b"extra".to_vec()];
        let RootCerts::Specific(certs) = root_certs(&extra) else {
            panic!("expected a specific root set");
        };
        let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS;
        assert!(mozilla.len() > 100);
        assert_eq!(certs.len(), mozilla.len() + 1);
        assert_eq!(certs[0].der(), mozilla[0].as_ref());
        assert_eq!(certs[mozilla.len()].der(), b"extra");
    }
}
