//! TCP and TLS connections for the client and the server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};

pub use tokio_rustls::TlsAcceptor;

/// A byte stream: plain TCP or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A boxed connection.
pub type BoxedIo = Box<dyn Io>;

/// TLS settings of the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM file of CA certificates; the system's roots when `None`.
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate chain and private key, when the server asks for one.
    pub client_identity: Option<(PathBuf, PathBuf)>,
    /// The name to verify; the host name when `None`.
    pub server_name: Option<String>,
}

/// A TLS set-up problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("{path}: {reason}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No trusted root certificate could be loaded.
    #[error("no trusted CA certificate found ({0})")]
    NoRoots(String),
    /// The server name is not a valid DNS name or address.
    #[error("invalid TLS server name {0:?}")]
    ServerName(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(String),
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem_error = |reason: String| TlsError::Pem { path: path.to_path_buf(), reason };
    let certificates: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| pem_error(e.to_string()))?;
    if certificates.is_empty() {
        return Err(pem_error("no certificate in the file".into()));
    }
    Ok(certificates)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path)
        .map_err(|e| TlsError::Pem { path: path.to_path_buf(), reason: e.to_string() })
}

/// Builds the client's TLS connector and the name to verify.
pub fn client_connector(
    options: &TlsOptions,
    host: &str,
) -> Result<(tokio_rustls::TlsConnector, ServerName<'static>), TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    match &options.ca_file {
        Some(path) => {
            for certificate in read_certificates(path)? {
                roots
                    .add(certificate)
                    .map_err(|e| TlsError::Pem { path: path.clone(), reason: e.to_string() })?;
            }
        }
        None => {
            let loaded = rustls_native_certs::load_native_certs();
            for certificate in loaded.certs {
                let _ = roots.add(certificate);
            }
            if roots.is_empty() {
                return Err(TlsError::NoRoots(format!("system store: {:?}", loaded.errors)));
            }
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(roots);
    let config = match &options.client_identity {
        Some((certificate, key)) => builder
            .with_client_auth_cert(read_certificates(certificate)?, read_key(key)?)
            .map_err(|e| TlsError::Config(e.to_string()))?,
        None => builder.with_no_client_auth(),
    };
    let name = options.server_name.clone().unwrap_or_else(|| host.to_string());
    let server_name = ServerName::try_from(name.clone()).map_err(|_| TlsError::ServerName(name))?;
    Ok((tokio_rustls::TlsConnector::from(Arc::new(config)), server_name))
}

/// Builds a server's TLS acceptor from a PEM certificate chain and key.
pub fn server_acceptor(certificate: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, TlsError> {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(read_certificates(certificate)?, read_key(key)?)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
