//! What every schedule must come to, once the world has healed: every case the person sent is
//! delivered, exactly once, with exactly the answers and photos frozen at Send, byte for byte;
//! nothing is stuck (every case delivered, or its screen shows a fix that works); no upload is
//! left full but unstored; and nothing that must never happen happened on the way.

use delivery::DeviceStore;
use protocol::outbox::OutboxState;
use sha2::{Digest, Sha256};

use crate::person::short;
use crate::world::World;

/// One schedule's outcome, counted the way `make soak` reports it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// A sent case the server does not hold (or holds without a photo).
    pub lost: usize,
    /// A case the server holds that the device never had delivered, or holds twice.
    pub duplicated: usize,
    /// A sent case not delivered after healing, or an upload full but unstored.
    pub stuck: usize,
    /// What the server holds differs from what was frozen at Send (answers, photo bytes).
    pub corrupted: usize,
    /// Things that must never happen on the way (an uninjected 5xx, a refusal of a case the
    /// device validated).
    pub violations: usize,
    /// Why, one line each.
    pub reasons: Vec<String>,
    /// What the schedule did: cases delivered, photos stored, requests made, faults injected,
    /// page crashes, server restarts.
    pub delivered: usize,
    /// Of those, cases on the published (non-household) form.
    pub delivered_on_forms: usize,
    /// Of those, cases booked into a slot.
    pub with_appointment: usize,
    /// Of those, cases whose appointment staff moved or cancelled.
    pub moved_by_staff: usize,
    pub photos: usize,
    pub requests: u64,
    /// Case PUTs whose body was sealed.
    pub sealed: u64,
    /// Cases sealed at Send on a shared tablet.
    pub sealed_at_send: u64,
    pub faults: u64,
    pub crashes: u64,
    pub restarts: u64,
}

impl Verdict {
    /// Adds another schedule's counts to these.
    pub fn add(&mut self, other: &Verdict) {
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.stuck += other.stuck;
        self.corrupted += other.corrupted;
        self.violations += other.violations;
        self.delivered += other.delivered;
        self.delivered_on_forms += other.delivered_on_forms;
        self.with_appointment += other.with_appointment;
        self.moved_by_staff += other.moved_by_staff;
        self.photos += other.photos;
        self.requests += other.requests;
        self.sealed += other.sealed;
        self.sealed_at_send += other.sealed_at_send;
        self.faults += other.faults;
        self.crashes += other.crashes;
        self.restarts += other.restarts;
    }
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.lost + self.duplicated + self.stuck + self.corrupted + self.violations == 0
    }
}

pub async fn judge(world: &World) -> Verdict {
    let mut v = Verdict::default();
    let sent = world.person.borrow().sent.clone();
    let server = world.server.borrow();
    let stored = server.cases().await;

    for (id, frozen) in &sent {
        let item = world.store.outbox_item(*id).await.ok().flatten();
        let delivered = item.as_ref().filter(|i| i.state == OutboxState::Delivered);
        let Some(item) = delivered else {
            v.stuck += 1;
            v.reasons.push(format!(
                "stuck: case {} is {:?} ({:?})",
                short(*id),
                item.as_ref().map(|i| i.state),
                item.as_ref()
                    .and_then(|i| i.problem.as_ref())
                    .map(|p| &p.message)
            ));
            continue;
        };
        let on_server: Vec<_> = stored.iter().filter(|(c, _)| c == id).collect();
        let Some((_, case)) = on_server.first() else {
            v.lost += 1;
            v.reasons.push(format!(
                "lost: delivered case {} is not on the server",
                short(*id)
            ));
            continue;
        };
        v.delivered += 1;
        // What was sent last is what the outbox froze (a reopened case froze again).
        let frozen = &item.outgoing().unwrap_or_else(|| frozen.clone());
        v.photos += frozen.photos().len();
        let expected = match frozen {
            delivery::Outgoing::Household(h) => protocol::definition::answers::canonical(
                protocol::definition::household::definition(),
                &protocol::definition::household::from_legacy(h),
            ),
            // Frozen in canonical form by the device's interpreter.
            delivery::Outgoing::Form(s) => {
                v.delivered_on_forms += 1;
                s.clone()
            }
        };
        if case.case != expected {
            v.corrupted += 1;
            v.reasons.push(format!(
                "corrupted: case {} differs from what was frozen at Send",
                short(*id)
            ));
        }
        let receipt = item.receipt.as_ref().map(|r| r.receipt_code.to_string());
        if receipt.as_deref() != Some(case.receipt_code.as_str()) {
            v.corrupted += 1;
            v.reasons.push(format!(
                "corrupted: case {} shows another receipt than the server's",
                short(*id)
            ));
        }
        // The receipt the device keeps shows the booking as the server holds it now: the one
        // made at delivery, or where staff moved it (the app asked once more after healing).
        // A device that had to register anew (staff revoked it) can no longer ask about what the
        // old one sent: it keeps what it last knew, and `/r/{code}` tells the rest.
        let booked = server.appointment(*id).await;
        v.with_appointment += usize::from(booked.is_some());
        let sender = server.case_device(*id).await.map(|d| d.to_string());
        let asks_as = world
            .store
            .device_auth()
            .await
            .ok()
            .and_then(|a| a.credentials.map(|c| c.device_id));
        let can_ask = world.shared || (sender.is_some() && sender == asks_as);
        if can_ask && item.receipt.as_ref().map(|r| &r.appointment) != Some(&booked) {
            v.corrupted += 1;
            v.reasons.push(format!(
                "corrupted: case {} shows another appointment than the server's",
                short(*id)
            ));
        }
        if server.appointment_changed(*id).await {
            v.moved_by_staff += 1;
            if can_ask && !item.status.as_ref().is_some_and(|s| s.changed_by_staff) {
                v.corrupted += 1;
                v.reasons.push(format!(
                    "corrupted: staff changed case {}'s appointment but the device does not say so",
                    short(*id)
                ));
            }
        }
        // Exactly the photos the person kept, byte-identical.
        let on_device = world.store.photos_of_case(*id).await.unwrap_or_default();
        let kept: Vec<_> = on_device.iter().map(|p| p.photo_id).collect();
        let named: Vec<_> = frozen.photos().iter().map(|p| p.photo_id).collect();
        if world.shared {
            // A shared tablet keeps nothing of a delivered case but its receipt.
            let answers_left = world.store.case(*id).await.ok().flatten().is_some();
            if answers_left || !kept.is_empty() {
                v.corrupted += 1;
                v.reasons.push(format!(
                    "left behind: delivered case {} on a shared tablet still has its answers ({answers_left}) or photos {kept:?}",
                    short(*id)
                ));
            }
        } else if kept != named {
            v.corrupted += 1;
            v.reasons.push(format!(
                "corrupted: case {} sent photos {named:?} but the device keeps {kept:?}",
                short(*id)
            ));
        }
        for photo in frozen.photos() {
            let device_sha = world
                .store
                .processed_bytes(photo.photo_id)
                .map(|b| hex::encode(Sha256::digest(b)));
            match server.photo(photo.photo_id).await {
                Some(p) if p.upload.completed => {
                    let ok = p.upload.photo_sha256() == photo.sha256
                        && p.file_sha256.as_deref() == Some(photo.sha256.as_str())
                        && (world.shared || device_sha.as_deref() == Some(photo.sha256.as_str()));
                    if world.shared && p.upload.sealed.is_none() {
                        v.corrupted += 1;
                        v.reasons.push(format!(
                            "in the clear: photo {} of case {} left a shared tablet unsealed",
                            photo.photo_id,
                            short(*id)
                        ));
                    }
                    if !ok {
                        v.corrupted += 1;
                        v.reasons.push(format!(
                            "corrupted: photo {} of case {} is not byte-identical",
                            photo.photo_id,
                            short(*id)
                        ));
                    }
                }
                _ => {
                    v.lost += 1;
                    v.reasons.push(format!(
                        "lost: photo {} of delivered case {} is not stored",
                        photo.photo_id,
                        short(*id)
                    ));
                }
            }
        }
    }

    for (id, _) in &stored {
        let copies = stored.iter().filter(|(c, _)| c == id).count();
        if !sent.contains_key(id) || copies > 1 {
            v.duplicated += 1;
            v.reasons.push(format!(
                "duplicated: the server holds case {} ({copies}x) that was never sent as such",
                short(*id)
            ));
        }
    }

    // No slot holds more people than it has room for, and its count is its households' people.
    for (slot, people) in server.bookings().await {
        if slot.booked > slot.capacity || slot.booked != people {
            v.corrupted += 1;
            v.reasons.push(format!(
                "overbooked: slot {} counts {} of {} places for households of {people} people",
                slot.slot_id, slot.booked, slot.capacity
            ));
        }
    }

    let full = server.full_but_unstored().await;
    if full > 0 {
        v.stuck += full;
        v.reasons.push(format!(
            "stuck: {full} uploads full but not stored after recovery"
        ));
    }

    v.requests = world.stats.requests.get();
    v.sealed = world.stats.sealed.get();
    v.sealed_at_send = world.stats.sealed_at_send.get();
    v.faults = world.stats.faults.get();
    v.crashes = world.stats.crashes.get();
    v.restarts = world.stats.restarts.get();
    for violation in world.violations.borrow().iter() {
        v.violations += 1;
        v.reasons.push(format!("violation: {violation}"));
    }
    v
}
