//! The accept loop: HTTP/1.1 connections that cannot hang the server.
//!
//! `axum::serve` sets no timer, so hyper's header-read timeout never fires and nothing bounds
//! a shutdown. Here each connection gets:
//!
//! - a header-read timeout (hyper's, with a Tokio timer): a client that sends its headers one
//!   byte at a time, or keeps an idle keep-alive connection open, is closed after it;
//! - a lingering close ([`Lingering`]): when the server answers before it has read the whole
//!   body (a 401 or 413 for a refused upload), it sends the answer, half-closes, and keeps reading
//!   and discarding for a bounded time, so the client reads the answer instead of a reset;
//! - a shutdown deadline: after the signal, requests in flight get `grace` to finish, then every
//!   connection still open is dropped and [`serve`] returns.
//!
//! The body idle timeout is a layer of the router (`http::router`), so it also holds without a
//! socket.

use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Sleep;
use tower::ServiceExt;

/// How long a closing connection keeps reading what the client still sends.
const LINGER: Duration = Duration::from_secs(2);
/// The most a closing connection reads and discards (a refused photo chunk and then some).
const LINGER_BYTES: u64 = 16 * 1024 * 1024;

/// Serves `app` on `listener` until `shutdown` resolves, then waits at most `grace` for the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    grace: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        accept_failed(e).await;
                        continue;
                    }
                };
                let service = TowerToHyperService::new(app.clone().map_request(
                    move |mut request: Request<Incoming>| {
                        request.extensions_mut().insert(ConnectInfo(peer));
                        request.map(Body::new)
                    },
                ));
                let connection = http.serve_connection(TokioIo::new(Lingering::new(stream)), service);
                let connection = graceful.watch(connection);
                connections.spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            // Reap finished connections so the set does not grow for as long as the server runs.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let open = connections.len();
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open,
            left = connections.len(),
            "shutdown grace period over; closing the connections still open"
        );
    }
    connections.shutdown().await;
}

/// Too many open files and the like pass; wait a little instead of spinning on them.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// A TCP stream whose shutdown lingers: it sends FIN, then reads and discards until the client
/// closes, `LINGER` passes or `LINGER_BYTES` were read. Closing a socket with unread data makes
/// the kernel send a reset, and the client would lose the answer it has not read yet.
struct Lingering {
    stream: TcpStream,
    linger: Option<(Pin<Box<Sleep>>, u64)>,
}

impl Lingering {
    fn new(stream: TcpStream) -> Self {
        Lingering {
            stream,
            linger: None,
        }
    }
}

impl AsyncRead for Lingering {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Lingering {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.linger.is_none() {
            ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
            this.linger = Some((Box::pin(tokio::time::sleep(LINGER)), 0));
        }
        let Some((deadline, read)) = this.linger.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let mut scratch = [0u8; 16 * 1024];
        loop {
            if deadline.as_mut().poll(cx).is_ready() || *read > LINGER_BYTES {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match ready!(Pin::new(&mut this.stream).poll_read(cx, &mut buf)) {
                Ok(()) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Ok(()) => *read += buf.filled().len() as u64,
                // The client reset or went away: nothing more to wait for.
                Err(_) => return Poll::Ready(Ok(())),
            }
        }
    }
}
