//! The `[metrics]` section: where the Prometheus endpoint listens (off when absent).

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetrics {
    /// `host:port`, e.g. `127.0.0.1:9187`; port 0 picks a free port (tests; it is logged).
    listen: String,
}

impl RawMetrics {
    /// The address to listen on, or an error naming the key.
    pub(super) fn resolve(&self, file: &Path, errors: &mut Vec<ConfigError>) -> Option<SocketAddr> {
        match self.listen.trim().parse::<SocketAddr>() {
            Ok(addr) => Some(addr),
            Err(_) => {
                errors.push(ConfigError::new(
                    file,
                    "metrics.listen",
                    format!(
                        "expected an IP address and port such as \"127.0.0.1:9187\", found {:?}",
                        self.listen
                    ),
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_are_read_or_named_as_mistakes() {
        for (text, ok) in [
            ("127.0.0.1:9187", true),
            ("[::1]:9187", true),
            ("0.0.0.0:0", true),
            ("localhost:9187", false),
            ("127.0.0.1", false),
            ("", false),
        ] {
            let raw = RawMetrics {
                listen: text.into(),
            };
            let mut errors = Vec::new();
            let got = raw.resolve(Path::new("m.toml"), &mut errors);
            assert_eq!(got.is_some(), ok, "{text:?}");
            assert_eq!(errors.len(), usize::from(!ok), "{text:?}");
            if !ok {
                assert!(
                    errors[0]
                        .to_string()
                        .contains("metrics.listen: expected an IP address")
                );
            }
        }
    }
}
