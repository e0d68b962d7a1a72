//! The outbox worker: takes submitted cases from the store and delivers each exactly once.
//!
//! [`Worker::run_due`] is the state machine of DESIGN.md ("Outbox state machine"): it writes
//! every state to the store before acting on it, so a page killed mid-request leaves a `sending`
//! item that the next run sends again; the server's idempotency turns that into the same receipt.
//! Photos go first (tus), then the case (`PUT /api/v1/cases/{id}`) with exactly the submission
//! frozen when the person pressed Send.
//!
//! What wakes the worker (start, `online`, a store change, a timer) and which tab runs it belong
//! to the caller: the browser's `frontend::sync`, or the simulator.

use protocol::api::{CaseReceipt, ErrorCode};
use protocol::outbox::{backoff_ms, disposition, Disposition, OutboxState};
use protocol::sealed::PublicKey;
use protocol::CaseId;

use crate::env::{Clock, Random};
use crate::records::{OutboxItem, Outgoing, Problem, SealedOutgoing, UploadProgress};
use crate::register::{self, problem_of, registration_needs_person, Token};
use crate::store::{DeviceStore, StoreError};
use crate::transport::{
    bearer, client_version, Exchange, HttpAnswer, HttpRequest, Method, Transport,
};
use crate::tus::{self, ChunkSizer, Step};

/// How soon to look again at a case whose photos are still being processed (cases queued by
/// builds that did not freeze their photos at Send).
const PROCESSING_RECHECK_MS: f64 = 2_000.0;

pub fn case_path(id: CaseId) -> String {
    format!("/api/v1/cases/{id}")
}

pub struct Worker<'a, S, T, C, R> {
    store: &'a S,
    transport: T,
    clock: C,
    random: R,
    chunks: ChunkSizer,
}

impl<'a, S: DeviceStore, T: Transport, C: Clock, R: Random> Worker<'a, S, T, C, R> {
    pub fn new(store: &'a S, transport: T, clock: C, random: R) -> Self {
        Worker {
            store,
            transport,
            clock,
            random,
            chunks: ChunkSizer::default(),
        }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Delivers every item whose time has come, one at a time, and returns when the next one
    /// will be due (ms since the epoch), if any is waiting.
    pub async fn run_due(&self) -> Result<Option<f64>, StoreError> {
        let mut items = self.store.outbox().await?;
        items.retain(|i| i.state.is_pending());
        // Unstable, with the case as the tie-break: as deterministic, and less code in the wasm.
        items.sort_unstable_by(|a, b| {
            a.next_attempt_at
                .total_cmp(&b.next_attempt_at)
                .then(a.case_id.cmp(&b.case_id))
        });
        let now = self.clock.now_ms();
        if !items.iter().any(|i| i.next_attempt_at <= now) {
            return Ok(earliest(&items));
        }
        // Every request carries this device's token; the first sync registers the device.
        let token = match register::ensure_token(&self.transport, self.store).await? {
            Token::Ready(token) => token,
            Token::SignInNeeded(problem) => {
                let problem = problem.unwrap_or_else(|| Problem::on_device("sign in again"));
                return self.pause_for_sign_in(items, &problem).await;
            }
            Token::Failed(answer) => return self.registration_failed(items, &answer).await,
        };
        // Cases go sealed for the organisation when its key is known (a failed fetch is no
        // reason to wait: they go as before, over TLS).
        let key = crate::keys::held_or_fetched(self.store, &self.transport)
            .await?
            .and_then(|k| k.current().cloned());
        let mut next_due: Option<f64> = None;
        let mut paused: Option<Problem> = None;
        for item in items {
            let item = match &paused {
                // The token was refused: the rest of the queue waits for the sign-in too.
                Some(problem) => self.wait_for_auth(item, problem.clone()).await?,
                None if item.next_attempt_at <= self.clock.now_ms() => {
                    self.deliver(item, &token, key.as_ref()).await?
                }
                None => item,
            };
            if item.state == OutboxState::WaitingAuth && paused.is_none() {
                paused = item.problem.clone();
            }
            if item.state.is_pending() {
                next_due = Some(
                    next_due.map_or(item.next_attempt_at, |n: f64| n.min(item.next_attempt_at)),
                );
            }
        }
        Ok(next_due)
    }

    /// The connection is back: everything waiting for the network may go now.
    pub async fn reset_backoff(&self) -> Result<(), StoreError> {
        let now = self.clock.now_ms();
        for mut item in self.store.outbox().await? {
            if item.state == OutboxState::WaitingNetwork {
                item.attempts = 0;
                item.next_attempt_at = now;
                self.store.put_outbox(&item).await?;
            }
        }
        Ok(())
    }

    async fn wait_for_auth(
        &self,
        mut item: OutboxItem,
        problem: Problem,
    ) -> Result<OutboxItem, StoreError> {
        item.state = OutboxState::WaitingAuth;
        item.problem = Some(problem);
        item.updated_at = self.clock.now_ms();
        self.store.put_outbox(&item).await?;
        Ok(item)
    }

    async fn pause_for_sign_in(
        &self,
        items: Vec<OutboxItem>,
        problem: &Problem,
    ) -> Result<Option<f64>, StoreError> {
        let now = self.clock.now_ms();
        let mut waiting = Vec::new();
        for item in items {
            if item.next_attempt_at <= now {
                self.wait_for_auth(item, problem.clone()).await?;
            } else {
                waiting.push(item);
            }
        }
        Ok(earliest(&waiting))
    }

    /// Registration did not work: wait for the network, or for a person (enrolment code).
    async fn registration_failed(
        &self,
        items: Vec<OutboxItem>,
        answer: &Exchange,
    ) -> Result<Option<f64>, StoreError> {
        let problem = problem_of(answer);
        if registration_needs_person(answer) {
            register::sign_in_needed(self.store, problem.clone()).await?;
            return self.pause_for_sign_in(items, &problem).await;
        }
        let now = self.clock.now_ms();
        let retry_after = answer.as_ref().ok().and_then(HttpAnswer::retry_after_ms);
        let mut next_due: Option<f64> = None;
        for mut item in items {
            if item.next_attempt_at <= now {
                item.updated_at = now;
                self.schedule_retry(&mut item, now, retry_after, problem.clone());
                self.store.put_outbox(&item).await?;
            }
            next_due =
                Some(next_due.map_or(item.next_attempt_at, |n: f64| n.min(item.next_attempt_at)));
        }
        Ok(next_due)
    }

    /// What is sent: the seal made at Send (shared tablets), the frozen submission, or (for
    /// items queued by older builds) the case and its processed photos as they are now.
    async fn submission_of(&self, item: &OutboxItem) -> Result<Result<Body, Outcome>, StoreError> {
        if let Some(sealed) = &item.sealed {
            return Ok(Ok(Body::SealedAtSend(sealed.clone())));
        }
        if let Some(submission) = item.outgoing() {
            return Ok(Ok(Body::Plain(submission)));
        }
        let Some(case) = self.store.case(item.case_id).await? else {
            return Ok(Err(Outcome::Reject(Problem::on_device(
                "case missing on device",
            ))));
        };
        let photos = self.store.photos_of_case(item.case_id).await?;
        if photos
            .iter()
            .any(|p| p.processed.is_none() && !p.unreadable)
        {
            return Ok(Err(Outcome::Recheck));
        }
        let mut submission = case.submission;
        submission.photos = photos.iter().filter_map(|p| p.as_ref_for_case()).collect();
        Ok(Ok(Body::Plain(submission.into())))
    }

    async fn deliver(
        &self,
        mut item: OutboxItem,
        token: &str,
        key: Option<&PublicKey>,
    ) -> Result<OutboxItem, StoreError> {
        let submission = match self.submission_of(&item).await? {
            Ok(s) => s,
            Err(outcome) => return self.settle(item, outcome).await,
        };
        item.state = OutboxState::Sending;
        item.updated_at = self.clock.now_ms();
        self.store.put_outbox(&item).await?;

        // The photos first: the server accepts the case only once it holds every one of them.
        let mut progressed = false;
        for wanted in submission.photos() {
            let record = self.store.photo(wanted.photo_id).await?;
            let Some(record) = record.filter(|r| r.as_ref_for_case().as_ref() == Some(wanted))
            else {
                let problem = Problem::on_device("a photo of this form is missing on the device");
                return self.settle(item, Outcome::Reject(problem)).await;
            };
            if record.upload.done {
                continue;
            }
            let step =
                tus::upload(&self.transport, self.store, &self.chunks, &record, token).await?;
            let outcome = match step {
                Step::Done => {
                    progressed = true;
                    continue;
                }
                Step::Retry {
                    progressed: moved,
                    retry_after_ms,
                    problem,
                } => Outcome::Retry {
                    // Bytes moved: the connection works, just badly; come back soon.
                    fresh: moved || progressed,
                    retry_after_ms,
                    problem,
                },
                Step::WaitForAuth(problem) => Outcome::WaitForAuth(problem),
                // A photo sealed to a key the server does not hold: the seal cannot be made
                // again without the family, so the case is refused; the keys are fetched again
                // for when it is corrected and sent.
                Step::Reject(problem) => {
                    if problem.code == Some(ErrorCode::UnknownKey) {
                        self.store.set_sealing_keys(None).await?;
                    }
                    Outcome::Reject(problem)
                }
            };
            return self.settle(item, outcome).await;
        }

        let answer = self.put_case(item.case_id, &submission, token, key).await;
        let status = answer.as_ref().ok().map(|a| a.status);
        let receipt = answer
            .as_ref()
            .ok()
            .and_then(|a| serde_json::from_str::<CaseReceipt>(&a.body).ok())
            .filter(|r| r.case_id == item.case_id);
        let problem = problem_of(&answer);
        let outcome = match (disposition(status), receipt) {
            (Disposition::Delivered, Some(receipt)) => Outcome::Delivered(receipt),
            // A 2xx without a readable receipt (a broken proxy, say) is treated like a lost
            // answer: ask again, the server replays the receipt.
            (Disposition::Delivered, None) | (Disposition::Retry, _) => Outcome::Retry {
                fresh: false,
                retry_after_ms: answer.as_ref().ok().and_then(HttpAnswer::retry_after_ms),
                problem,
            },
            // The server does not hold some photos as named (lost, expired, never finished):
            // ask it about each again (HEAD), then send what it lacks and the case again.
            (Disposition::Reject, _) if problem.code == Some(ErrorCode::PhotosMissing) => {
                for id in &problem.missing_photos {
                    if let Some(photo) = self.store.photo(*id).await? {
                        let progress = UploadProgress {
                            done: false,
                            ..photo.upload
                        };
                        self.store.set_upload_progress(*id, &progress).await?;
                    }
                }
                Outcome::Retry {
                    fresh: false,
                    retry_after_ms: None,
                    problem,
                }
            }
            // Sealed to a key the server no longer lists: fetch the keys again, then resend
            // (a seal made at Send cannot be made again without the family: refused as it is).
            (Disposition::Reject, _)
                if problem.code == Some(ErrorCode::UnknownKey)
                    && !matches!(submission, Body::SealedAtSend(_)) =>
            {
                self.store.set_sealing_keys(None).await?;
                Outcome::Retry {
                    fresh: false,
                    retry_after_ms: None,
                    problem,
                }
            }
            (Disposition::WaitForAuth, _) => Outcome::WaitForAuth(problem),
            (Disposition::Reject, _) => Outcome::Reject(Problem {
                fields: crate::actions::name_photos_by_id(problem.fields, submission.photos()),
                ..problem
            }),
        };
        self.settle(item, outcome).await
    }

    /// Writes where the item stands after an attempt.
    async fn settle(
        &self,
        mut item: OutboxItem,
        outcome: Outcome,
    ) -> Result<OutboxItem, StoreError> {
        let now = self.clock.now_ms();
        item.updated_at = now;
        match outcome {
            Outcome::Delivered(receipt) => {
                item.state = OutboxState::Delivered;
                item.receipt = Some(receipt);
                item.problem = None;
                item.attempts = 0;
            }
            Outcome::Retry {
                fresh,
                retry_after_ms,
                problem,
            } => {
                if fresh {
                    item.attempts = 0;
                }
                self.schedule_retry(&mut item, now, retry_after_ms, problem);
            }
            Outcome::Recheck => {
                item.state = OutboxState::WaitingNetwork;
                item.next_attempt_at = now + PROCESSING_RECHECK_MS;
            }
            Outcome::WaitForAuth(problem) => {
                register::sign_in_needed(self.store, problem.clone()).await?;
                item.state = OutboxState::WaitingAuth;
                item.problem = Some(problem);
            }
            Outcome::Reject(problem) => {
                item.state = OutboxState::Rejected;
                item.problem = Some(problem);
            }
        }
        // A shared tablet keeps nothing of a delivered case but its receipt.
        if item.state == OutboxState::Delivered && item.sealed.is_some() {
            item.sealed = None;
            self.store.erase_delivered(&item).await?;
        } else {
            self.store.put_outbox(&item).await?;
        }
        Ok(item)
    }

    fn schedule_retry(
        &self,
        item: &mut OutboxItem,
        now: f64,
        retry_after_ms: Option<f64>,
        problem: Problem,
    ) {
        item.state = OutboxState::WaitingNetwork;
        item.next_attempt_at = now + backoff_ms(item.attempts, self.random.unit(), retry_after_ms);
        item.attempts = item.attempts.saturating_add(1);
        item.problem = Some(problem);
    }

    async fn put_case(
        &self,
        id: CaseId,
        case: &Body,
        token: &str,
        key: Option<&PublicKey>,
    ) -> Exchange {
        let case = match case {
            Body::Plain(case) => case,
            Body::SealedAtSend(s) => {
                let body = serde_json::to_vec(&protocol::sealed::SealedBody {
                    sealed: s.sealed.clone(),
                })
                .unwrap_or_default();
                return self.send_case(id, token, body).await;
            }
        };
        let plain = case.json();
        // Sealed afresh each attempt: the server judges the case inside, so every seal of the
        // same case gets the same receipt.
        let sealed = key.and_then(|key| {
            let mut seed = [0u8; 32];
            if !self.random.fill_secret(&mut seed) {
                return None;
            }
            let sealed = protocol::sealed::seal(key, id, &plain, seed).ok()?;
            serde_json::to_vec(&protocol::sealed::SealedBody { sealed }).ok()
        });
        let body = sealed.unwrap_or(plain);
        self.send_case(id, token, body).await
    }

    async fn send_case(&self, id: CaseId, token: &str, body: Vec<u8>) -> Exchange {
        self.transport
            .send(HttpRequest {
                method: Method::Put,
                url: case_path(id),
                headers: vec![
                    bearer(token),
                    ("content-type", "application/json".into()),
                    client_version(),
                ],
                body: Some(body),
            })
            .await
    }
}

/// What one attempt sends.
enum Body {
    Plain(Outgoing),
    SealedAtSend(SealedOutgoing),
}

impl Body {
    fn photos(&self) -> &[protocol::case::PhotoRef] {
        match self {
            Body::Plain(o) => o.photos(),
            Body::SealedAtSend(s) => &s.photos,
        }
    }
}

/// How one attempt ended, before it is written down.
enum Outcome {
    Delivered(CaseReceipt),
    Retry {
        /// Progress was made: restart the backoff.
        fresh: bool,
        retry_after_ms: Option<f64>,
        problem: Problem,
    },
    /// Photos are still being processed (legacy items only).
    Recheck,
    WaitForAuth(Problem),
    Reject(Problem),
}

fn earliest(items: &[OutboxItem]) -> Option<f64> {
    items.iter().map(|i| i.next_attempt_at).reduce(f64::min)
}
