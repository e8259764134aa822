//! TLS client settings for the IMAP intake (implicit TLS and STARTTLS) and for SMTP over
//! implicit TLS (`send::Smtp`, port 465).
//!
//! Whom we trust: the public web PKI (`webpki-roots`, compiled in, so a hardened unit with no
//! `/etc/ssl` still works) plus, optionally, one extra CA file for a private mail server. SMTP
//! with STARTTLS is the one exception to "built here": lettre upgrades that connection itself,
//! with its `TlsParameters` given the same two sources (lettre's `webpki-roots` feature and the
//! same `ca_file`). The `ring` provider is passed explicitly: rustls never consults a
//! process-wide default, which would panic if the dependency graph ever enabled two providers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};

/// Why no TLS client configuration could be built. Every case is a configuration problem:
/// retrying cannot help until someone fixes the file or the host name.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The extra CA file named in the configuration cannot be read.
    #[error("cannot read the CA file {path}; check ca_file in the configuration")]
    ReadCa {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The extra CA file is not PEM, or a PEM section is damaged.
    #[error("the CA file {path} is not valid PEM; expected one or more CERTIFICATE sections")]
    ParseCa {
        path: PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    /// The extra CA file holds no certificate at all (a key, or an empty file).
    #[error("the CA file {path} holds no CERTIFICATE section")]
    EmptyCa { path: PathBuf },
    /// A certificate in the CA file cannot serve as a trust anchor.
    #[error("the CA file {path} holds a certificate that cannot be a trust anchor")]
    BadCa {
        path: PathBuf,
        source: rustls::Error,
    },
    /// rustls refused the protocol versions; only possible if the provider is broken.
    #[error("the TLS library refused its own safe defaults")]
    Setup { source: rustls::Error },
    /// The configured host cannot be checked against a certificate.
    #[error("{host:?} is not a host name or IP address a certificate can be checked against")]
    ServerName {
        host: String,
        source: rustls_pki_types::InvalidDnsNameError,
    },
}

/// A client configuration trusting the web PKI plus, when given, every certificate in
/// `extra_ca` (PEM). Built per connection: it is cheap, and a replaced CA file takes effect
/// on the next reconnect without a restart.
///
/// # Errors
/// The CA file cannot be read, holds no usable certificate, or rustls rejects its defaults.
///
/// # Examples
/// ```
/// let config = mailclerk::tls::client_config(None).unwrap();
/// assert!(config.alpn_protocols.is_empty());
/// ```
pub fn client_config(extra_ca: Option<&Path>) -> Result<Arc<ClientConfig>, Error> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_ca {
        for cert in read_ca_file(path)? {
            roots.add(cert).map_err(|source| Error::BadCa {
                path: path.to_path_buf(),
                source,
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| Error::Setup { source })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Every certificate in a PEM file, in file order: the extra trust anchors of
/// [`client_config`].
///
/// # Errors
/// The file cannot be read, is not PEM, or holds no certificate.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let pem = std::fs::read(path).map_err(|source| Error::ReadCa {
        path: path.to_path_buf(),
        source,
    })?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| Error::ParseCa {
            path: path.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(Error::EmptyCa {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

/// The name a server certificate must carry: a DNS name, or an IP address, which rustls checks
/// against the certificate's IP SANs (the CN is never consulted).
///
/// # Errors
/// `host` is neither a valid DNS name nor an IP address.
///
/// # Examples
/// ```
/// use rustls_pki_types::ServerName;
/// assert!(matches!(mailclerk::tls::server_name("127.0.0.1"), Ok(ServerName::IpAddress(_))));
/// assert!(mailclerk::tls::server_name("not a host").is_err());
/// ```
pub fn server_name(host: &str) -> Result<ServerName<'static>, Error> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_owned()).map_err(|source| Error::ServerName {
        host: host.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_ca_file_is_named() {
        let err = client_config(Some(Path::new("/nonexistent/ca.pem"))).unwrap_err();
        assert!(matches!(err, Error::ReadCa { .. }), "{err:?}");
        assert!(err.to_string().contains("/nonexistent/ca.pem"));
    }

    #[test]
    fn a_file_without_certificates_is_refused() {
        let dir = std::env::temp_dir().join(format!("mailclerk-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.pem");
        std::fs::write(&path, "not pem at all\n").unwrap();
        let err = read_ca_file(&path).unwrap_err();
        assert!(matches!(err, Error::EmptyCa { .. }), "{err:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ipv6_literals_lose_their_brackets() {
        assert!(matches!(server_name("[::1]"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(
            server_name("mail.example.test"),
            Ok(ServerName::DnsName(_))
        ));
    }
}
