//! Servers that do not hang: a real `server::run` on 127.0.0.1:0 against raw TCP clients that
//! send slowly, stall, send too much or keep sending while the server shuts down.
//!
//! Every bound here is generous (settings of 1 s, checked within 10 s): the tests prove that a
//! limit exists, not how fast it acts.

use std::time::Duration;

use server::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(10);

struct Running {
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<Result<(), server::StartError>>,
    _dir: tempfile::TempDir,
}

async fn start(tweak: impl FnOnce(&mut Config)) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_data_dir(dir.path());
    tweak(&mut config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server::run(listener, config, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        server,
        _dir: dir,
    }
}

/// An answer as read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn parse(raw: &[u8]) -> Option<Answer> {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let status = head.get(9..12)?.parse().ok()?;
        Some(Answer {
            status,
            head: head.to_ascii_lowercase(),
            body: body.to_owned(),
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == name).then(|| v.trim())
        })
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Reads until the server closes (or resets) the connection; what arrived before.
async fn read_until_closed(stream: &mut (impl AsyncReadExt + Unpin)) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return received,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// One whole request, the simple way: write everything, then read the answer.
async fn exchange(addr: std::net::SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
        .write_all(body)
        .await
        .expect("the server let the whole body be sent");
    let raw = timeout(BOUND, read_until_closed(&mut stream))
        .await
        .expect("answered and closed in time");
    Answer::parse(&raw).unwrap_or_else(|| panic!("no HTTP answer: {raw:?}"))
}

async fn register(addr: std::net::SocketAddr) -> String {
    let answer = exchange(
        addr,
        "POST /api/v1/devices HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n",
        b"{}",
    )
    .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    answer.json()["token"].as_str().unwrap().to_owned()
}

/// Creates a 1000-byte photo upload; its path.
async fn create_upload(addr: std::net::SocketAddr, token: &str) -> String {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let metadata = format!(
        "photo_id {},case_id {},sha256 {},content_type {}",
        b64(&uuid::Uuid::new_v4().to_string()),
        b64(&uuid::Uuid::new_v4().to_string()),
        b64(&"ab".repeat(32)),
        b64("image/jpeg"),
    );
    let answer = exchange(
        addr,
        &format!(
            "POST /api/v1/uploads/ HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\
             Tus-Resumable: 1.0.0\r\nUpload-Length: 1000\r\nUpload-Metadata: {metadata}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        b"",
    )
    .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    answer.header("location").unwrap().to_owned()
}

fn patch_head(path: &str, token: Option<&str>, length: u64) -> String {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    format!(
        "PATCH {path} HTTP/1.1\r\nHost: t\r\n{auth}Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: {length}\r\n\r\n"
    )
}

/// Writes one byte every `every` until the server stops taking them (at most 600).
fn trickle(
    mut writer: tokio::net::tcp::OwnedWriteHalf,
    every: Duration,
) -> JoinHandle<tokio::net::tcp::OwnedWriteHalf> {
    tokio::spawn(async move {
        for _ in 0..600 {
            if writer.write_all(b"a").await.is_err() {
                break;
            }
            tokio::time::sleep(every).await;
        }
        writer
    })
}

#[tokio::test]
async fn headers_sent_one_byte_at_a_time_are_cut_off() {
    let server = start(|c| c.header_read_timeout_secs = 1).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        .await
        .unwrap();
    let sender = trickle(writer, Duration::from_millis(100));
    let closed = timeout(BOUND, read_until_closed(&mut reader)).await;
    sender.abort();
    let received = closed.expect("the connection was closed while its headers trickled in");
    assert!(
        !String::from_utf8_lossy(&received).contains(" 200 "),
        "no answer to headers that never ended"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = start(|c| c.header_read_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let received = timeout(BOUND, read_until_closed(&mut stream))
        .await
        .expect("closed after the next headers did not come");
    assert_eq!(Answer::parse(&received).unwrap().status, 200);
}

#[tokio::test]
async fn a_stalled_case_body_is_answered_408() {
    let server = start(|c| c.body_idle_timeout_secs = 1).await;
    let token = register(server.addr).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(
            format!(
                "PUT /api/v1/cases/{} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"form_id\"",
                uuid::Uuid::new_v4()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let raw = timeout(BOUND, read_until_closed(&mut stream))
        .await
        .expect("a body that stopped arriving was answered");
    let answer = Answer::parse(&raw).unwrap();
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "timeout");
}

#[tokio::test]
async fn a_stalled_login_body_is_cut_off() {
    let server = start(|c| c.body_idle_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(
            b"POST /staff/login HTTP/1.1\r\nHost: t\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ncsrf=",
        )
        .await
        .unwrap();
    let raw = timeout(BOUND, read_until_closed(&mut stream))
        .await
        .expect("a login body that stopped arriving was cut off");
    let answer = Answer::parse(&raw).unwrap();
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "bad_request");
}

#[tokio::test]
async fn a_login_body_that_trickles_is_cut_off() {
    // Never idle for long, so only the whole request's time limit can end it.
    let server = start(|c| {
        c.request_timeout_secs = 1;
        c.body_idle_timeout_secs = 30;
    })
    .await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(
            b"POST /staff/login HTTP/1.1\r\nHost: t\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n",
        )
        .await
        .unwrap();
    let sender = trickle(writer, Duration::from_millis(200));
    let raw = timeout(BOUND, read_until_closed(&mut reader)).await;
    sender.abort();
    let answer = Answer::parse(&raw.expect("answered in time")).unwrap();
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "timeout");
}

#[tokio::test]
async fn a_stalled_patch_keeps_what_arrived_and_ends() {
    let server = start(|c| c.body_idle_timeout_secs = 1).await;
    let token = register(server.addr).await;
    let path = create_upload(server.addr, &token).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(patch_head(&path, Some(&token), 1000).as_bytes())
        .await
        .unwrap();
    stream.write_all(&[7u8; 400]).await.unwrap();
    let raw = timeout(BOUND, read_until_closed(&mut stream))
        .await
        .expect("a chunk that stopped arriving ended");
    // uploads.rs decides the status; the point is that the handler saw the cut.
    if let Some(answer) = Answer::parse(&raw) {
        assert!(answer.status >= 400, "{answer:?}");
    }
    let head = exchange(
        server.addr,
        &format!(
            "HEAD {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\
             Tus-Resumable: 1.0.0\r\nConnection: close\r\n\r\n"
        ),
        b"",
    )
    .await;
    assert_eq!(head.status, 200, "{head:?}");
    assert_eq!(
        head.header("upload-offset"),
        Some("400"),
        "the bytes before the stall are kept"
    );
}

#[tokio::test]
async fn a_slow_patch_without_a_token_is_refused_in_bounded_time() {
    let server = start(|_| {}).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let path = format!("/api/v1/uploads/{}", uuid::Uuid::new_v4());
    writer
        .write_all(patch_head(&path, None, 8 * 1024 * 1024).as_bytes())
        .await
        .unwrap();
    let sender = trickle(writer, Duration::from_millis(200));
    let raw = timeout(BOUND, read_until_closed(&mut reader)).await;
    sender.abort();
    let answer = Answer::parse(&raw.expect("answered and closed in time")).unwrap();
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "unauthorized");
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(answer.header("tus-resumable"), Some("1.0.0"));
}

#[tokio::test]
async fn a_large_patch_without_a_token_gets_its_401() {
    let server = start(|_| {}).await;
    let path = format!("/api/v1/uploads/{}", uuid::Uuid::new_v4());
    let length = 8 * 1024 * 1024;
    let answer = exchange(
        server.addr,
        &patch_head(&path, None, length),
        &vec![7u8; length as usize],
    )
    .await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn an_oversized_case_gets_a_json_413_the_client_reads() {
    let server = start(|_| {}).await;
    let token = register(server.addr).await;
    let length = 8 * 1024 * 1024;
    let answer = exchange(
        server.addr,
        &format!(
            "PUT /api/v1/cases/{} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n",
            uuid::Uuid::new_v4()
        ),
        &vec![b' '; length],
    )
    .await;
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "payload_too_large");
    assert!(answer
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
}

#[tokio::test]
async fn shutdown_does_not_wait_for_a_slow_patch() {
    let mut server = start(|c| {
        c.shutdown_grace_secs = 1;
        c.body_idle_timeout_secs = 30;
    })
    .await;
    let token = register(server.addr).await;
    let path = create_upload(server.addr, &token).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(patch_head(&path, Some(&token), 1000).as_bytes())
        .await
        .unwrap();
    let sender = trickle(writer, Duration::from_millis(300));
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.stop.take().unwrap().send(()).unwrap();
    let stopped = timeout(BOUND, &mut server.server).await;
    sender.abort();
    stopped
        .expect("run returned after the grace period")
        .unwrap()
        .unwrap();
    let closed = timeout(BOUND, read_until_closed(&mut reader)).await;
    assert!(closed.is_ok(), "the slow request's connection was closed");
}
