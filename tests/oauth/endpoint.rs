//! A small OAuth2 authorization server for the tests, on 127.0.0.1 only: it issues tokens
//! (client credentials, refresh token, device code, authorization code with PKCE), rotates
//! refresh tokens, lets access tokens expire, revokes consent, and answers Dovecot's token
//! introspection (RFC 7662). One per test process, on the port the mail stack's Dovecot asks
//! (`MAILCLERK_OAUTH_ENDPOINT_PORT`, BASE+808); every test registers its own client and user.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How a registered client's tokens behave.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub secret: Option<String>,
    /// The mailbox user the tokens are for (what introspection reports as `username`).
    pub user: String,
    /// Access-token lifetime.
    pub lifetime: Duration,
    /// Every refresh issues a new refresh token and kills the old one.
    pub rotate: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub client_credentials: u32,
    pub refresh: u32,
    pub refresh_refused: u32,
    pub device: u32,
    pub authorization_code: u32,
    pub introspections_active: u32,
}

struct Access {
    client: String,
    user: String,
    expires: Instant,
}

struct Refresh {
    client: String,
    alive: bool,
}

struct Device {
    client: String,
    user_code: String,
    approved: bool,
}

struct Code {
    client: String,
    redirect: String,
    challenge: String,
}

#[derive(Default)]
struct State {
    clients: HashMap<String, ClientSpec>,
    revoked: HashMap<String, bool>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    devices: HashMap<String, Device>,
    codes: HashMap<String, Code>,
    counts: HashMap<String, Counts>,
    serial: u64,
}

/// The endpoint; cheap to clone.
#[derive(Clone)]
pub struct Endpoint {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

static ENDPOINT: OnceLock<Endpoint> = OnceLock::new();

/// The one endpoint of this test process, started on first use.
pub fn endpoint() -> Endpoint {
    ENDPOINT
        .get_or_init(|| {
            let port: u16 = std::env::var("MAILCLERK_OAUTH_ENDPOINT_PORT")
                .expect("MAILCLERK_OAUTH_ENDPOINT_PORT is not set: run `eval \"$(scripts/mailstack env)\"` after `scripts/mailstack up`")
                .parse()
                .unwrap();
            let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| {
                panic!("the test token endpoint cannot listen on 127.0.0.1:{port} (BASE+808 of the mail stack): {e}")
            });
            let ep = Endpoint {
                port,
                state: Arc::new(Mutex::new(State::default())),
            };
            let served = ep.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming().flatten() {
                    let ep = served.clone();
                    std::thread::spawn(move || ep.serve(conn));
                }
            });
            ep
        })
        .clone()
}

impl Endpoint {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Registers a client (replacing one of the same id).
    pub fn register(&self, client_id: &str, spec: ClientSpec) {
        let mut st = self.state.lock().unwrap();
        st.clients.insert(client_id.into(), spec);
        st.revoked.insert(client_id.into(), false);
    }

    /// Consent withdrawn: every token of the client dies, refresh tokens too.
    pub fn revoke(&self, client_id: &str) {
        let mut st = self.state.lock().unwrap();
        st.revoked.insert(client_id.into(), true);
        st.access.retain(|_, a| a.client != client_id);
        for r in st.refresh.values_mut().filter(|r| r.client == client_id) {
            r.alive = false;
        }
    }

    /// Consent may be given again (a new sign-in is still needed).
    pub fn allow(&self, client_id: &str) {
        self.state
            .lock()
            .unwrap()
            .revoked
            .insert(client_id.into(), false);
    }

    /// A person approves the device code shown as `user_code`.
    pub fn approve(&self, user_code: &str) -> bool {
        let mut st = self.state.lock().unwrap();
        match st.devices.values_mut().find(|d| d.user_code == user_code) {
            Some(d) => {
                d.approved = true;
                true
            }
            None => false,
        }
    }

    pub fn counts(&self, client_id: &str) -> Counts {
        self.state
            .lock()
            .unwrap()
            .counts
            .get(client_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Whether a refresh token would still be accepted.
    pub fn refresh_alive(&self, token: &str) -> bool {
        self.state
            .lock()
            .unwrap()
            .refresh
            .get(token)
            .is_some_and(|r| r.alive)
    }

    fn serve(&self, conn: TcpStream) {
        conn.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut length = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.trim().eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let form = match method.as_str() {
            "GET" => parse_form(query),
            _ => parse_form(&String::from_utf8_lossy(&body)),
        };
        let (status, headers, body) = self.route(&method, path, &form);
        let mut conn = conn;
        let _ = write!(
            conn,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
            body.len()
        );
        let _ = conn.flush();
    }

    fn route(
        &self,
        method: &str,
        path: &str,
        f: &HashMap<String, String>,
    ) -> (String, String, String) {
        let json_headers =
            "Content-Type: application/json\r\nCache-Control: no-store\r\n".to_string();
        let mut st = self.state.lock().unwrap();
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let error = |code: &str| {
            (
                "400 Bad Request".to_string(),
                json_headers.clone(),
                format!("{{\"error\":\"{code}\",\"error_description\":\"test endpoint: {code}\"}}"),
            )
        };
        match (method, path) {
            ("POST", "/introspect") => {
                let now = Instant::now();
                let found = st
                    .access
                    .get(&get("token"))
                    .filter(|a| a.expires > now)
                    .map(|a| (a.client.clone(), a.user.clone()));
                let body = match found {
                    Some((client, user)) => {
                        st.counts.entry(client).or_default().introspections_active += 1;
                        format!("{{\"active\":true,\"username\":\"{user}\"}}")
                    }
                    None => {
                        // Attribute it to no client: the token is unknown or dead.
                        "{\"active\":false}".to_string()
                    }
                };
                ("200 OK".into(), json_headers, body)
            }
            ("POST", "/devicecode") => {
                let client = get("client_id");
                if !st.clients.contains_key(&client) {
                    return error("invalid_client");
                }
                let n = next(&mut st);
                let device_code = format!("dc-{n}");
                let user_code = format!("UC{n:06}");
                st.devices.insert(
                    device_code.clone(),
                    Device {
                        client,
                        user_code: user_code.clone(),
                        approved: false,
                    },
                );
                let body = format!(
                    "{{\"device_code\":\"{device_code}\",\"user_code\":\"{user_code}\",\"verification_uri\":\"{}\",\"expires_in\":300,\"interval\":1}}",
                    self.url("/device")
                );
                ("200 OK".into(), json_headers, body)
            }
            ("GET", "/authorize") => {
                let client = get("client_id");
                if !st.clients.contains_key(&client)
                    || get("response_type") != "code"
                    || get("code_challenge_method") != "S256"
                {
                    return (
                        "400 Bad Request".into(),
                        String::new(),
                        "bad authorize request".into(),
                    );
                }
                let n = next(&mut st);
                let code = format!("ac-{n}");
                let redirect = get("redirect_uri");
                st.codes.insert(
                    code.clone(),
                    Code {
                        client,
                        redirect: redirect.clone(),
                        challenge: get("code_challenge"),
                    },
                );
                let location = format!("{redirect}?code={code}&state={}", encode(&get("state")));
                (
                    "302 Found".into(),
                    format!("Location: {location}\r\n"),
                    String::new(),
                )
            }
            ("POST", "/token") => {
                let client = get("client_id");
                let Some(spec) = st.clients.get(&client).cloned() else {
                    return error("invalid_client");
                };
                if spec.secret.is_some()
                    && spec.secret.as_deref() != f.get("client_secret").map(String::as_str)
                {
                    return error("invalid_client");
                }
                let revoked = st.revoked.get(&client).copied().unwrap_or(false);
                let grant = get("grant_type");
                let with_refresh = match grant.as_str() {
                    "client_credentials" => {
                        if revoked {
                            return error("unauthorized_client");
                        }
                        st.counts
                            .entry(client.clone())
                            .or_default()
                            .client_credentials += 1;
                        None
                    }
                    "refresh_token" => {
                        let rt = get("refresh_token");
                        let alive = !revoked
                            && st
                                .refresh
                                .get(&rt)
                                .is_some_and(|r| r.alive && r.client == client);
                        if !alive {
                            st.counts.entry(client.clone()).or_default().refresh_refused += 1;
                            return error("invalid_grant");
                        }
                        st.counts.entry(client.clone()).or_default().refresh += 1;
                        if spec.rotate {
                            st.refresh.get_mut(&rt).unwrap().alive = false;
                            Some(true)
                        } else {
                            Some(false)
                        }
                    }
                    "urn:ietf:params:oauth:grant-type:device_code" => {
                        let Some(d) = st.devices.get(&get("device_code")) else {
                            return error("expired_token");
                        };
                        if d.client != client {
                            return error("invalid_grant");
                        }
                        if !d.approved {
                            return error("authorization_pending");
                        }
                        st.devices.remove(&get("device_code"));
                        st.counts.entry(client.clone()).or_default().device += 1;
                        Some(true)
                    }
                    "authorization_code" => {
                        let Some(c) = st.codes.remove(&get("code")) else {
                            return error("invalid_grant");
                        };
                        if c.client != client
                            || c.redirect != get("redirect_uri")
                            || s256(&get("code_verifier")) != c.challenge
                        {
                            return error("invalid_grant");
                        }
                        st.counts
                            .entry(client.clone())
                            .or_default()
                            .authorization_code += 1;
                        Some(true)
                    }
                    _ => return error("unsupported_grant_type"),
                };
                let n = next(&mut st);
                let access = format!("at-{client}-{n}");
                st.access.insert(
                    access.clone(),
                    Access {
                        client: client.clone(),
                        user: spec.user.clone(),
                        expires: Instant::now() + spec.lifetime,
                    },
                );
                let mut body = format!(
                    "{{\"access_token\":\"{access}\",\"token_type\":\"Bearer\",\"expires_in\":{}",
                    spec.lifetime.as_secs()
                );
                if with_refresh == Some(true) {
                    let rt = format!("rt-{client}-{n}");
                    st.refresh.insert(
                        rt.clone(),
                        Refresh {
                            client: client.clone(),
                            alive: true,
                        },
                    );
                    body.push_str(&format!(",\"refresh_token\":\"{rt}\""));
                }
                body.push('}');
                ("200 OK".into(), json_headers, body)
            }
            _ => ("404 Not Found".into(), String::new(), "not here".into()),
        }
    }
}

fn next(st: &mut State) -> u64 {
    st.serial += 1;
    st.serial
}

fn parse_form(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// PKCE S256: BASE64URL(SHA256(verifier)) without padding.
fn s256(verifier: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(verifier.as_bytes());
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in digest.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
