//! Durable before acknowledged: a case answered 201 survives the server being killed (SIGKILL, no
//! shutdown) right after the answer. Runs the real binary against a real data directory.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(data_dir: &std::path::Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--addr", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while request(port, "GET", "/api/v1/health", "").is_err() {
            assert!(Instant::now() < deadline, "server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 exchange: (status, body).
fn request(port: u16, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    request_as(port, method, path, body, "")
}

fn request_as(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    token: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or(std::io::ErrorKind::InvalidData)?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[test]
fn a_case_answered_201_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let id = common::new_id();
    let path = format!("/api/v1/cases/{id}");
    let body = common::household().to_string();

    let server = Server::start(dir.path());
    let (_, registered) = request(server.port, "POST", "/api/v1/devices", "{}").unwrap();
    let token = serde_json::from_str::<serde_json::Value>(&registered).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, first) = request_as(server.port, "PUT", &path, &body, &token).unwrap();
    assert_eq!(status, 201, "{first}");
    drop(server); // SIGKILL at once: no graceful shutdown, no checkpoint

    let server = Server::start(dir.path());
    let (status, again) = request_as(server.port, "PUT", &path, &body, &token).unwrap();
    assert_eq!(status, 200, "the case must still be there: {again}");
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(first["receipt_code"], again["receipt_code"]);
    drop(server);

    let dump = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["dump-cases", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(dump.status.success());
    let cases: serde_json::Value = serde_json::from_slice(&dump.stdout).unwrap();
    assert_eq!(cases.as_array().unwrap().len(), 1);
    assert_eq!(cases[0]["receipt_code"], first["receipt_code"]);
    // Stored as the household form's canonical submission of what was sent.
    let sent: protocol::CaseSubmission = serde_json::from_value(common::household()).unwrap();
    let expected = protocol::definition::answers::canonical(
        protocol::definition::household::definition(),
        &protocol::definition::household::from_legacy(&sent),
    );
    assert_eq!(cases[0]["case"], serde_json::to_value(&expected).unwrap());
}
