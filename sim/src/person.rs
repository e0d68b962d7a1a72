//! What the person at the device does, through the same calls the app's screens make: typing
//! (saved by the autosaver), family members, document photos, Send, "Correct and send again",
//! "Sign in again", reloading the page. Values typed are sometimes wrong, as people's are.

use delivery::actions::{self, Fix, SubmitOutcome};
use delivery::conformance::processed;
use delivery::records::{CaseRecord, PhotoRecord};
use delivery::DeviceStore;
use protocol::outbox::OutboxState;
use protocol::validation::validate;
use protocol::{CaseId, Member, MemberId, PhotoId};

use crate::world::{Stats, World, TODAY};

const NAMES: &[&str] = &[
    "Zoë Núñez",
    "María José Pérez Lagos",
    "Jean-Baptiste Louis",
    "محمد الأحمد",
    "Luis",
    "Ana",
];
const BAD_NAMES: &[&str] = &["", "   "];
const DATES: &[&str] = &[
    "1991-04-17",
    "2016-09-02",
    "1988-02-29",
    "2024-01-01",
    "1950-12-31",
];
const BAD_DATES: &[&str] = &["", "2099-01-01", "2023-02-29", "1850-01-01", "17/04/1991"];
const COUNTRIES: &[&str] = &["HN", "HT", "VE", "XX", "AF"];
const RELATIONSHIPS: &[&str] = &["spouse", "child", "parent", "sibling", "other"];
const KINDS: &[&str] = &["id_document", "birth_certificate", "other"];

fn pick<'a>(w: &World, good: &'a [&'a str], bad: &'a [&'a str], p_bad: f64) -> String {
    let list = if w.rng.chance(p_bad) { bad } else { good };
    w.rng.pick(list).copied().unwrap_or_default().to_owned()
}

/// A new member with what a person might have typed so far.
fn new_member(w: &World) -> Member {
    Member {
        member_id: MemberId(w.uuid()),
        name: pick(w, NAMES, BAD_NAMES, 0.15),
        date_of_birth: pick(w, DATES, BAD_DATES, 0.15),
        relationship: if w.rng.chance(0.7) {
            w.rng
                .pick(RELATIONSHIPS)
                .copied()
                .unwrap_or("child")
                .to_owned()
        } else {
            String::new()
        },
    }
}

impl World {
    fn now(&self) -> f64 {
        delivery::env::Clock::now_ms(&self.clock)
    }

    /// The draft on screen changed: the autosaver will write it.
    fn changed(&self, record: CaseRecord) {
        let mut person = self.person.borrow_mut();
        person
            .autosaves
            .entry(record.id)
            .or_default()
            .change(record.clone());
        person.open = Some(record);
    }

    fn edit(&self, what: &str, f: impl FnOnce(&World, &mut CaseRecord)) {
        let Some(mut record) = self.person.borrow().open.clone() else {
            return;
        };
        f(self, &mut record);
        record.updated_at = self.now();
        self.log(format!("person: {what}"));
        self.changed(record);
    }

    pub async fn new_case(&self) {
        self.leave_form().await;
        // Now and then the app asks (through the same faulty network) which forms are published.
        if self.rng.chance(0.5) {
            let outcome = delivery::forms::refresh(&self.store, &self.network()).await;
            self.log(format!("app: refreshes the published forms: {outcome:?}"));
        }
        let id = CaseId(self.uuid());
        let forms = delivery::forms::newest(&self.store)
            .await
            .unwrap_or_default();
        let other = forms.iter().find(|d| d.form_id != protocol::form::FORM_ID);
        let record = match other {
            Some(def) if self.rng.chance(0.4) => {
                self.log(format!(
                    "person: starts a {} v{} case",
                    def.form_id, def.version
                ));
                CaseRecord::on_form(id, &def.form_id, def.version, self.now())
            }
            _ => CaseRecord::new(id, self.now()),
        };
        match self.store.save_draft(&record).await {
            Ok(()) => {
                self.log(format!("person: starts case {}", short(record.id)));
                self.person.borrow_mut().open = Some(record);
            }
            Err(e) => self.log(format!("person: cannot start a case ({e})")),
        }
    }

    /// Leaving the form flushes what is pending (the form's clean-up does).
    async fn leave_form(&self) {
        self.flush().await;
        self.person.borrow_mut().open = None;
    }

    /// Opens a case's form: the newest version the person typed, written or still pending.
    async fn open_form(&self, id: CaseId) {
        let pending = self
            .person
            .borrow()
            .autosaves
            .get(&id)
            .and_then(|a| a.pending());
        let record = match pending {
            Some(record) => Some(record),
            None => self.store.case(id).await.ok().flatten(),
        };
        self.person.borrow_mut().open = record;
    }

    /// Opens a draft from "My cases", as the page loads it from the store.
    pub async fn open_draft(&self) {
        let drafts = self.drafts().await;
        let Some(id) = self.rng.pick(&drafts).copied() else {
            return;
        };
        self.leave_form().await;
        self.log(format!("person: opens case {}", short(id)));
        self.open_form(id).await;
    }

    pub async fn drafts(&self) -> Vec<CaseId> {
        let outbox = self.store.outbox().await.unwrap_or_default();
        self.store
            .cases()
            .into_iter()
            .map(|c| c.id)
            .filter(|id| !outbox.iter().any(|i| i.case_id == *id))
            .collect()
    }

    fn on_form(&self) -> bool {
        self.person
            .borrow()
            .open
            .as_ref()
            .is_some_and(|r| r.form.is_some())
    }

    /// Picks up to three different preferred slots from the list the app keeps (fetched now and
    /// then through the same faulty network), now and then one the server does not know (a slot
    /// removed since the list was cached).
    pub async fn choose_slots(&self) {
        if self.rng.chance(0.5) {
            let outcome = delivery::appointments::refresh_slots(&self.store, &self.network()).await;
            self.log(format!("app: refreshes the open slots: {outcome:?}"));
        }
        let kept: Vec<protocol::SlotId> = match self.store.slots().await {
            Ok(Some(list)) => list.slots.iter().map(|s| s.slot_id).collect(),
            _ => Vec::new(),
        };
        let mut chosen = Vec::new();
        for _ in 0..self.rng.below(4) {
            let slot = match self.rng.pick(&kept) {
                Some(slot) if self.rng.below(8) != 0 => *slot,
                _ => protocol::SlotId(self.uuid()),
            };
            if !chosen.contains(&slot) {
                chosen.push(slot);
            }
        }
        self.edit(
            &format!("chooses {} appointment slots", chosen.len()),
            |_, r| match r.form.as_mut() {
                Some(form) => form.appointment_preferences = chosen,
                None => r.submission.appointment_preferences = chosen,
            },
        );
    }

    /// The app asks what became of the delivered cases (it opened, came online, was looked at).
    pub async fn ask_statuses(&self) {
        let store = self.crashing_store();
        let network = self.network();
        let now = self.now();
        let asked = delivery::appointments::refresh_statuses(&store, &network, now);
        let outcome = tokio::select! {
            biased;
            () = self.crash.fired() => None,
            outcome = asked => Some(outcome),
        };
        self.crash.disarm();
        self.log(format!("app: asks about its delivered cases: {outcome:?}"));
    }

    pub fn type_something(&self) {
        if self.on_form() {
            return self.edit("types into a form field", |w, r| {
                if let Some(form) = r.form.as_mut() {
                    crate::form_case::type_into(w, &mut form.answers);
                }
            });
        }
        let field = self.rng.below(8);
        self.edit(&format!("types into field {field}"), |w, r| {
            let a = &mut r.submission.applicant;
            match field {
                0 => a.name = pick(w, NAMES, BAD_NAMES, 0.15),
                1 => a.date_of_birth = pick(w, DATES, BAD_DATES, 0.2),
                2 => a.country_of_origin = pick(w, COUNTRIES, &["", "ZZ"], 0.1),
                3 => a.phone = pick(w, &["+504 9999-1234", "", "5512345678"], &["call me"], 0.1),
                4 => {
                    let code = *w
                        .rng
                        .pick(&["es", "ht", "fr", "nah", "ar"])
                        .unwrap_or(&"es");
                    if !a.languages.iter().any(|l| l == code) {
                        a.languages.push(code.to_owned());
                    } else if w.rng.chance(0.5) {
                        a.languages.retain(|l| l != code);
                    }
                }
                5 => a.needs_note = pick(w, &["Asma", "", "Necesita su inhalador."], &[], 0.0),
                _ => {
                    if let Some(m) = r.submission.members.get_mut(w.rng.below(4) as usize) {
                        match w.rng.below(3) {
                            0 => m.name = pick(w, NAMES, BAD_NAMES, 0.2),
                            1 => m.date_of_birth = pick(w, DATES, BAD_DATES, 0.2),
                            _ => {
                                m.relationship = w
                                    .rng
                                    .pick(RELATIONSHIPS)
                                    .copied()
                                    .unwrap_or("child")
                                    .to_owned()
                            }
                        }
                    }
                }
            }
        });
    }

    pub fn add_member(&self) {
        if self.on_form() {
            return self.edit("adds a child", |w, r| {
                if let Some(form) = r.form.as_mut() {
                    crate::form_case::add_child(w, &mut form.answers);
                }
            });
        }
        self.edit("adds a family member", |w, r| {
            if r.submission.members.len() < 6 {
                r.submission.members.push(new_member(w));
            }
        });
    }

    /// Removes a member as the form does: the screen drops them at once, and when they have
    /// photos the removal and the photos' deletion are written together.
    pub async fn remove_member(&self) {
        if self.on_form() {
            return self.edit("removes a child", |w, r| {
                if let Some(form) = r.form.as_mut() {
                    crate::form_case::remove_child(w, &mut form.answers);
                }
            });
        }
        let Some(record) = self.person.borrow().open.clone() else {
            return;
        };
        let Some(member) = self
            .rng
            .pick(&record.submission.members)
            .map(|m| m.member_id)
        else {
            return;
        };
        let photos = actions::photos_of_member(&self.store, &record, member)
            .await
            .unwrap_or_default();
        self.edit(
            &format!("removes a family member with {} photos", photos.len()),
            |_, r| r.submission.members.retain(|m| m.member_id != member),
        );
        if !photos.is_empty() {
            let Some(now) = self.person.borrow().open.clone() else {
                return;
            };
            if let Err(e) = actions::remove_member(&self.store, &now, member, self.now()).await {
                self.log(format!("  removing their photos failed: {e}"));
            }
        }
    }

    /// The people the documents step shows: the applicant and the members on screen.
    fn people(&self) -> Vec<Option<MemberId>> {
        let person = self.person.borrow();
        let Some(record) = &person.open else {
            return Vec::new();
        };
        std::iter::once(None)
            .chain(record.submission.members.iter().map(|m| Some(m.member_id)))
            .collect()
    }

    pub async fn take_photo(&self) -> Option<PhotoId> {
        // The published form asks for no documents.
        if self.on_form() {
            return None;
        }
        let case_id = self.person.borrow().open.as_ref()?.id;
        let owner = *self.rng.pick(&self.people())?;
        let kind = *self.rng.pick(KINDS)?;
        let id = PhotoId(self.uuid());
        let record = PhotoRecord::new(id, case_id, owner, kind, self.now());
        let raw = self.rng.bytes(64 + self.rng.below(4096) as usize);
        match self.store.put_photo(&record, raw) {
            Ok(()) => {
                self.log(format!("person: takes photo {} ({kind})", short_photo(id)));
                self.person.borrow_mut().processing.push(id);
                Some(id)
            }
            Err(e) => {
                self.log(format!("person: the photo could not be kept ({e})"));
                None
            }
        }
    }

    /// The photo worker finishes one picture (downscaled, re-encoded; here, random bytes of a
    /// phone photo's size), or finds it unreadable.
    pub fn finish_processing(&self) {
        let id = {
            let mut person = self.person.borrow_mut();
            if person.processing.is_empty() {
                return;
            }
            let i = self.rng.below(person.processing.len() as u64) as usize;
            person.processing.remove(i)
        };
        if self.rng.chance(0.03) {
            let _ = self.store.mark_unreadable(id);
            self.log(format!("photo {} is unreadable", short_photo(id)));
            return;
        }
        let size = 1_000 + self.rng.below(700_000) as usize;
        let bytes = self.rng.bytes(size);
        let details = processed(&bytes);
        match self.store.finish_processing(id, bytes, details) {
            Ok(_) => self.log(format!(
                "photo {} processed ({size} bytes)",
                short_photo(id)
            )),
            // A full device: the picture as taken stays and is processed again later.
            Err(e) => {
                self.log(format!(
                    "photo {} could not be stored processed ({e})",
                    short_photo(id)
                ));
                self.person.borrow_mut().processing.push(id);
            }
        }
    }

    async fn photos_on_screen(&self) -> Vec<PhotoRecord> {
        let Some(case_id) = self.person.borrow().open.as_ref().map(|r| r.id) else {
            return Vec::new();
        };
        self.store.photos_of_case(case_id).await.unwrap_or_default()
    }

    pub async fn delete_photo(&self) {
        let photos = self.photos_on_screen().await;
        let Some(photo) = self.rng.pick(&photos) else {
            return;
        };
        let id = photo.photo_id;
        match self.store.delete_photo(id).await {
            Ok(()) => {
                self.log(format!("person: deletes photo {}", short_photo(id)));
                self.person.borrow_mut().processing.retain(|p| *p != id);
            }
            Err(e) => self.log(format!("person: cannot delete photo ({e})")),
        }
    }

    /// "Retake": a new photo, then the old one deleted.
    pub async fn retake_photo(&self) {
        let photos = self.photos_on_screen().await;
        let Some(old) = self.rng.pick(&photos).map(|p| p.photo_id) else {
            return;
        };
        if self.take_photo().await.is_some() {
            if let Err(e) = self.store.delete_photo(old).await {
                self.log(format!("  deleting the old photo failed ({e})"));
            }
        }
    }

    /// The autosavers' timers fire (or the page was hidden): every pending change is written.
    pub async fn flush(&self) {
        let autosaves = std::mem::take(&mut self.person.borrow_mut().autosaves);
        for autosave in autosaves.values() {
            if let Err(e) = autosave.flush(&self.store).await {
                self.log(format!("autosave failed, kept for the next try ({e})"));
            }
        }
        let mut person = self.person.borrow_mut();
        for (id, autosave) in autosaves {
            person.autosaves.entry(id).or_insert(autosave);
        }
    }

    /// Send, as the form's button does. Returns whether it went into the outbox.
    /// Send; when the form points at problems, the person usually corrects them and sends again.
    pub async fn send_determined(&self) {
        for _ in 0..3 {
            if self.send().await || !self.rng.chance(0.7) {
                return;
            }
            self.correct_everything().await;
        }
    }

    pub async fn send(&self) -> bool {
        let Some(record) = self.person.borrow().open.clone() else {
            return false;
        };
        let outcome = if self.shared {
            // A shared tablet seals at Send; the check needs what went inside the seal.
            let inside = actions::checked_outgoing(&self.store, &record, TODAY).await;
            let mut seed = [0u8; 32];
            delivery::env::Random::fill_secret(&self.rng, &mut seed);
            match actions::submit_sealed(&self.store, &record, Some(seed), TODAY, self.now()).await
            {
                Ok(Ok(SubmitOutcome::Queued(item))) => match inside {
                    Ok(Ok(inside)) if item.sealed.is_some() && item.outgoing().is_none() => {
                        Stats::count(&self.stats.sealed_at_send);
                        Ok((SubmitOutcome::Queued(item), Some(inside)))
                    }
                    _ => {
                        self.violation(format!(
                            "case {} queued sealed but not as checked",
                            short(record.id)
                        ));
                        return false;
                    }
                },
                Ok(Ok(other)) => Ok((other, None)),
                Ok(Err(e)) => {
                    // A volunteer connects the tablet so it fetches the organisation's key.
                    self.log(format!(
                        "person: Send says {e}; the tablet fetches the keys"
                    ));
                    let _ = delivery::keys::refresh(&self.store, &self.network()).await;
                    return false;
                }
                Err(e) => Err(e),
            }
        } else {
            actions::submit(&self.store, &record, TODAY, self.now())
                .await
                .map(|o| (o, None))
        };
        match outcome {
            Ok((SubmitOutcome::Queued(item), inside)) => {
                let Some(submission) = inside.or_else(|| item.outgoing()) else {
                    return false;
                };
                let people = match &submission {
                    delivery::Outgoing::Household(h) => h.people(),
                    delivery::Outgoing::Form(s) => {
                        1 + s
                            .answers
                            .get("children")
                            .and_then(|c| c.as_array())
                            .map_or(0, Vec::len)
                    }
                };
                self.log(format!(
                    "person: sends case {} ({} people, {} photos)",
                    short(record.id),
                    people,
                    submission.photos().len()
                ));
                let mut person = self.person.borrow_mut();
                if let Some(autosave) = person.autosaves.get(&record.id) {
                    autosave.cancel();
                }
                person.sent.insert(record.id, submission);
                person.open = None;
                true
            }
            Ok((other, _)) => {
                self.log(format!("person: Send says {}", describe(&other)));
                false
            }
            Err(e) => {
                self.log(format!("person: Send failed ({e})"));
                false
            }
        }
    }

    /// Corrects what the form shows wrong (every field the validator names gets a good value;
    /// photos it names are deleted; unreadable ones too), as a person following the messages.
    pub async fn correct_everything(&self) {
        let Some(mut record) = self.person.borrow().open.clone() else {
            return;
        };
        if let Some(form) = record.form.as_mut() {
            let definition = self
                .store
                .form_definition(&form.form_id, form.form_version)
                .await
                .ok()
                .flatten();
            let Some(definition) = definition else {
                return self.log("person: the form's definition is not on the device");
            };
            let submission = protocol::Submission {
                form_id: form.form_id.clone(),
                form_version: form.form_version,
                answers: form.answers.clone(),
                photos: Vec::new(),
                appointment_preferences: Vec::new(),
            };
            let errors = protocol::definition::answers::validate(&definition, &submission, TODAY);
            crate::form_case::correct(self, &mut form.answers, &errors);
            self.log(format!("person: corrects {} problems", errors.len()));
            return self.changed(record);
        }
        for id in self
            .photos_on_screen()
            .await
            .iter()
            .filter(|p| p.unreadable)
            .map(|p| p.photo_id)
        {
            let _ = self.store.delete_photo(id).await;
        }
        // Photos still being prepared finish while the person reads the messages.
        while !self.person.borrow().processing.is_empty() {
            let before = self.person.borrow().processing.len();
            self.finish_processing();
            if self.person.borrow().processing.len() >= before {
                break;
            }
        }
        let mut submission = record.submission.clone();
        submission.photos = self
            .photos_on_screen()
            .await
            .iter()
            .filter_map(|p| p.as_ref_for_case())
            .collect();
        let errors = validate(&submission, TODAY);
        let errors = actions::name_photos_by_id(errors, &submission.photos);
        for error in &errors {
            let parts: Vec<&str> = error.field.split('.').collect();
            let a = &mut record.submission.applicant;
            match parts.as_slice() {
                ["applicant", "name"] => a.name = "María José Pérez".into(),
                ["applicant", "date_of_birth"] => a.date_of_birth = "1991-04-17".into(),
                ["applicant", "country_of_origin"] => a.country_of_origin = "HN".into(),
                ["applicant", "phone"] => a.phone = String::new(),
                ["applicant", "languages"] => a.languages = vec!["es".into()],
                ["applicant", "needs"] => a.needs.clear(),
                ["applicant", "needs_note"] => a.needs_note.clear(),
                ["members", i, field] => {
                    if let Some(m) = i
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| record.submission.members.get_mut(i))
                    {
                        match *field {
                            "name" => m.name = "Luis Pérez".into(),
                            "date_of_birth" => m.date_of_birth = "2016-09-02".into(),
                            "relationship" => m.relationship = "child".into(),
                            _ => m.member_id = MemberId(self.rng.uuid()),
                        }
                    }
                }
                ["members"] => record.submission.members.truncate(6),
                ["photos", ..] => {
                    if let Some(id) = actions::photo_of_path(&error.field) {
                        let _ = self.store.delete_photo(id).await;
                    }
                }
                _ => self.log(format!("person: cannot correct {}", error.field)),
            }
        }
        self.log(format!("person: corrects {} problems", errors.len()));
        self.changed(record);
    }

    /// Acts on what each case's status screen offers (sign in again, correct and send again).
    pub async fn follow_status_screens(&self) {
        for item in self.store.outbox().await.unwrap_or_default() {
            match actions::fix_for(&item) {
                Fix::None => {}
                Fix::SignIn { .. } => {
                    self.log(format!("person: signs in again ({})", short(item.case_id)));
                    if let Err(e) = actions::sign_in_again(&self.store, None, self.now()).await {
                        self.log(format!("  sign in failed ({e})"));
                    }
                }
                Fix::Correct => {
                    self.log(format!(
                        "person: correct and send again ({}: {:?})",
                        short(item.case_id),
                        item.problem.as_ref().map(|p| &p.message)
                    ));
                    if actions::reopen(&self.store, item.case_id).await.is_ok() {
                        self.leave_form().await;
                        self.open_form(item.case_id).await;
                    }
                }
                Fix::UpdateApp => self.violation(format!(
                    "case {} asks for an app update",
                    short(item.case_id)
                )),
            }
        }
    }

    /// Sends again every case the person sent once and that is a draft again (reopened).
    pub async fn resend_reopened(&self) {
        let sent: Vec<CaseId> = self.person.borrow().sent.keys().copied().collect();
        let drafts = self.drafts().await;
        for id in sent.into_iter().filter(|id| drafts.contains(id)) {
            self.leave_form().await;
            self.open_form(id).await;
            for _ in 0..4 {
                self.correct_everything().await;
                if self.send().await {
                    break;
                }
            }
        }
    }

    /// The page reloads (or dies and is opened again): what was not yet written is gone, the
    /// form is read back from the store, the worker starts afresh.
    pub async fn reload(&self) {
        let mut person = self.person.borrow_mut();
        let lost = person.autosaves.values().any(|a| a.is_pending());
        person.autosaves.clear();
        let open = person.open.as_ref().map(|r| r.id);
        drop(person);
        // The app processes again what a dead page left unprocessed.
        let mut unprocessed = Vec::new();
        for case in self.store.cases() {
            for photo in self.store.photos_of_case(case.id).await.unwrap_or_default() {
                if photo.processed.is_none() && !photo.unreadable {
                    unprocessed.push(photo.photo_id);
                }
            }
        }
        self.person.borrow_mut().processing = unprocessed;
        let reloaded = match open {
            Some(id) => self.store.case(id).await.ok().flatten(),
            None => None,
        };
        let still_draft = match &reloaded {
            Some(r) => self.store.outbox_item(r.id).await.ok().flatten().is_none(),
            None => false,
        };
        self.person.borrow_mut().open = reloaded.filter(|_| still_draft);
        self.log(format!("page reloads (unsaved keystrokes lost: {lost})"));
    }

    /// Whether the case the person sent is delivered on the device.
    pub async fn delivered(&self, id: CaseId) -> bool {
        matches!(
            self.store.outbox_item(id).await,
            Ok(Some(item)) if item.state == OutboxState::Delivered
        )
    }
}

fn describe(outcome: &SubmitOutcome) -> String {
    match outcome {
        SubmitOutcome::Queued(_) => "queued".into(),
        SubmitOutcome::Invalid(errors) => format!(
            "fix first: {}",
            errors
                .iter()
                .map(|e| format!("{} {}", e.field, e.code.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SubmitOutcome::PhotosNotReady => "photos not ready".into(),
        SubmitOutcome::PhotosUnreadable(ids) => format!("{} photos unreadable", ids.len()),
    }
}

pub fn short(id: CaseId) -> String {
    id.to_string()[..8].to_owned()
}

pub fn short_photo(id: PhotoId) -> String {
    id.to_string()[..8].to_owned()
}
