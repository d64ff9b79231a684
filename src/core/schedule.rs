//! Delivery at a chosen time. Hosts set `__STARTDELIVERTIME` (epoch ms), as for the managed
//! RocketMQ services; Apache brokers 5.x read `TIMER_DELIVER_MS` instead, so both are sent.
//! Cancelling: a message to the same topic with `__CANCEL_SCHEDULED_MSG` = the scheduled
//! message's id and the same `__STARTDELIVERTIME` becomes the 5.x timer delete marker
//! (`TIMER_DEL_UNIQKEY` = `<topic>+<id>`). Apache 4.x has no timer messages: there such a message
//! is delivered at once, and the library logs a warning saying so.

use super::error::{Error, Result};
use super::message::Message;

pub const START_DELIVER_TIME: &str = "__STARTDELIVERTIME";
pub const CANCEL_SCHEDULED_MSG: &str = "__CANCEL_SCHEDULED_MSG";
pub const TIMER_DELIVER_MS: &str = "TIMER_DELIVER_MS";
pub const TIMER_DEL_UNIQKEY: &str = "TIMER_DEL_UNIQKEY";
/// The farthest ahead a delivery time may be.
pub const MAX_AHEAD_MS: i64 = 365 * 24 * 3600 * 1000;
/// Brokers answering with a version below V5_0_0 have no timer messages.
pub const FIRST_TIMER_VERSION: i32 = 413;

/// Adds the broker's timer properties; true when the message waits for a time to come.
pub fn apply(msg: &mut Message, now_ms: i64) -> Result<bool> {
    let Some(text) = msg.property(START_DELIVER_TIME).map(str::to_string) else {
        if msg.property(CANCEL_SCHEDULED_MSG).is_some() {
            return Err(Error::InvalidMessage(format!(
                "{CANCEL_SCHEDULED_MSG} needs {START_DELIVER_TIME}: the delivery time of the message to cancel"
            )));
        }
        return Ok(false);
    };
    let at: i64 = text
        .trim()
        .parse()
        .map_err(|_| Error::InvalidMessage(format!("{START_DELIVER_TIME} must be epoch milliseconds, got {text:?}")))?;
    if at > now_ms + MAX_AHEAD_MS {
        return Err(Error::InvalidMessage(format!(
            "{START_DELIVER_TIME} {at} is more than one year ahead (the limit is {} ms from now)",
            MAX_AHEAD_MS
        )));
    }
    let cancel = msg.property(CANCEL_SCHEDULED_MSG).map(str::to_string);
    if at <= now_ms {
        if cancel.is_some() {
            return Err(Error::InvalidMessage("the scheduled message's delivery time has passed: too late to cancel it".into()));
        }
        return Ok(false); // a time in the past: delivered at once, everywhere
    }
    msg.set_property(TIMER_DELIVER_MS, &at.to_string());
    if let Some(id) = cancel {
        let key = format!("{}+{}", msg.topic, id);
        msg.set_property(TIMER_DEL_UNIQKEY, &key);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(props: &[(&str, &str)]) -> Message {
        let mut m = Message::new("T");
        for (k, v) in props {
            m.set_property(k, v);
        }
        m
    }

    #[test]
    fn future_time_sets_the_timer() {
        let mut m = msg(&[(START_DELIVER_TIME, "5000")]);
        assert!(apply(&mut m, 1000).unwrap());
        assert_eq!(m.property(TIMER_DELIVER_MS), Some("5000"));
        assert_eq!(m.property(START_DELIVER_TIME), Some("5000"));
    }

    #[test]
    fn past_time_is_immediate() {
        let mut m = msg(&[(START_DELIVER_TIME, "500")]);
        assert!(!apply(&mut m, 1000).unwrap());
        assert_eq!(m.property(TIMER_DELIVER_MS), None);
    }

    #[test]
    fn more_than_a_year_ahead_fails() {
        let mut m = msg(&[(START_DELIVER_TIME, &(1000 + MAX_AHEAD_MS + 1).to_string())]);
        assert!(matches!(apply(&mut m, 1000), Err(Error::InvalidMessage(_))));
        let mut bad = msg(&[(START_DELIVER_TIME, "soon")]);
        assert!(apply(&mut bad, 1000).is_err());
    }

    #[test]
    fn cancel_becomes_the_delete_marker() {
        let mut m = msg(&[(START_DELIVER_TIME, "5000"), (CANCEL_SCHEDULED_MSG, "ABC")]);
        assert!(apply(&mut m, 1000).unwrap());
        assert_eq!(m.property(TIMER_DEL_UNIQKEY), Some("T+ABC"));
        let mut late = msg(&[(START_DELIVER_TIME, "500"), (CANCEL_SCHEDULED_MSG, "ABC")]);
        assert!(apply(&mut late, 1000).is_err());
        let mut no_time = msg(&[(CANCEL_SCHEDULED_MSG, "ABC")]);
        assert!(apply(&mut no_time, 1000).is_err());
    }
}
