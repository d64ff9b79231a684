//! Identities: the client id (`ip@pid#instance`), the client-side unique message id (`UNIQ_KEY`),
//! and the sharding-key hash that picks the same queue as rocketmq-client-cpp.

use std::hash::{BuildHasher, Hasher};
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use once_cell::sync::Lazy;

use super::message::hex_upper;

/// The first IPv4 address of an interface that is up and not loopback, else 127.0.0.1.
pub fn local_ipv4() -> Ipv4Addr {
    static IP: Lazy<Ipv4Addr> = Lazy::new(find_local_ipv4);
    *IP
}

fn find_local_ipv4() -> Ipv4Addr {
    let mut found = None;
    // SAFETY: getifaddrs fills a list we only read and then free with freeifaddrs.
    unsafe {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        if libc::getifaddrs(&mut list) == 0 {
            let mut cur = list;
            while !cur.is_null() {
                let ifa = &*cur;
                let up = ifa.ifa_flags & libc::IFF_UP as u32 != 0;
                let loopback = ifa.ifa_flags & libc::IFF_LOOPBACK as u32 != 0;
                if up && !loopback && !ifa.ifa_addr.is_null() && (*ifa.ifa_addr).sa_family as i32 == libc::AF_INET {
                    let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                    found = Some(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)));
                    break;
                }
                cur = ifa.ifa_next;
            }
            libc::freeifaddrs(list);
        }
    }
    found.unwrap_or(Ipv4Addr::LOCALHOST)
}

pub fn client_id(instance_name: &str) -> String {
    format!("{}@{}#{}", local_ipv4(), std::process::id(), instance_name)
}

/// A random 32-bit value from the standard library's per-process hash seed.
fn random_u32() -> u32 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
    h.finish() as u32
}

struct UniqPrefix {
    hex: String,
}

static PREFIX: Lazy<UniqPrefix> = Lazy::new(|| {
    let mut raw = Vec::with_capacity(10);
    raw.extend_from_slice(&local_ipv4().octets());
    raw.extend_from_slice(&(std::process::id() as u16).to_be_bytes());
    raw.extend_from_slice(&random_u32().to_be_bytes());
    UniqPrefix { hex: hex_upper(&raw) }
});

static COUNTER: AtomicU16 = AtomicU16::new(0);

/// `UNIQ_KEY`: IPv4, low 16 bits of the pid, a random word (the fixed prefix), then milliseconds
/// since the start of the current month and a counter: 32 upper-case hex characters.
pub fn unique_message_id() -> String {
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64;
    let since_month = (now_ms - month_start_ms(now_ms)) as u32;
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tail = [0u8; 6];
    tail[..4].copy_from_slice(&since_month.to_be_bytes());
    tail[4..].copy_from_slice(&counter.to_be_bytes());
    let mut id = String::with_capacity(32);
    id.push_str(&PREFIX.hex);
    id.push_str(&hex_upper(&tail));
    id
}

/// Epoch milliseconds of the first instant of the UTC month containing `ms`.
fn month_start_ms(ms: i64) -> i64 {
    let days = ms.div_euclid(86_400_000);
    let (y, m, _) = civil_from_days(days);
    days_from_civil(y, m, 1) * 86_400_000
}

// Gregorian calendar conversions (H. Hinnant's public-domain algorithms).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// libstdc++'s `std::hash<std::string>` on 64-bit targets (`_Hash_bytes`, MurmurHash64A-like,
/// seed 0xc70f6907): the hash rocketmq-client-cpp uses to pick a queue for a sharding key.
pub fn cpp_string_hash(data: &[u8]) -> u64 {
    const MUL: u64 = 0xc6a4_a793_5bd1_e995;
    const SEED: u64 = 0xc70f_6907;
    fn shift_mix(v: u64) -> u64 {
        v ^ (v >> 47)
    }
    let len = data.len();
    let mut hash = SEED ^ (len as u64).wrapping_mul(MUL);
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
        let data = shift_mix(w.wrapping_mul(MUL)).wrapping_mul(MUL);
        hash ^= data;
        hash = hash.wrapping_mul(MUL);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut t: u64 = 0;
        for (i, b) in tail.iter().enumerate() {
            t |= (*b as u64) << (8 * i);
        }
        hash ^= t;
        hash = hash.wrapping_mul(MUL);
    }
    hash = shift_mix(hash).wrapping_mul(MUL);
    shift_mix(hash)
}

/// The queue index 2.2.0's `SendMessageOrderlyByShardingKey` picks.
pub fn sharding_queue(key: &str, queue_count: usize) -> usize {
    if queue_count == 0 {
        return 0;
    }
    (cpp_string_hash(key.as_bytes()) % queue_count as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_libstdcxx_vectors() {
        assert_eq!(cpp_string_hash(b""), 6142509188972423790);
        assert_eq!(cpp_string_hash(b"a"), 4993892634952068459);
        assert_eq!(cpp_string_hash(b"abc"), 3663726644998027833);
        assert_eq!(cpp_string_hash(b"order-1"), 1888478096483860501);
    }

    #[test]
    fn sharding_matches_the_original_capture() {
        // Queue choices read off frames that rocketmq-client-cpp 2.2.0 sent (8 queues).
        let expected = [
            ("order0", 4), ("order1", 6), ("order2", 1), ("order3", 1), ("order4", 3), ("order5", 2),
            ("order6", 2), ("order7", 3), ("order8", 3), ("order9", 3), ("a", 3), ("orderId", 4),
            ("order-123", 7), ("", 6), ("\u{fc}", 6),
        ];
        for (key, queue) in expected {
            assert_eq!(sharding_queue(key, 8), queue, "key {key:?}");
        }
    }

    #[test]
    fn unique_ids_are_32_hex_and_distinct() {
        let a = unique_message_id();
        let b = unique_message_id();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        assert_ne!(a, b);
        assert_eq!(&a[..20], &b[..20]);
    }

    #[test]
    fn month_start() {
        // 2026-11-28T00:00:00Z -> 2026-11-01T00:00:00Z
        assert_eq!(month_start_ms(1_795_824_000_000), 1_793_491_200_000);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    /// 2.2.0's `DefaultMQClient::getMQClientId`: `clientIP + "@" + pid + "#" + instanceName`
    /// (Java's is `ip@instanceName`, its default instance name being the pid). Brokers show it
    /// in consumer and producer connection lists, and the rebalance sorts the group's ids.
    #[test]
    fn client_id_is_ip_at_pid_hash_instance() {
        let id = client_id("my_instance");
        let (ip, rest) = id.split_once('@').expect("ip@...");
        let (pid, instance) = rest.split_once('#').expect("...pid#instance");
        let ip: Ipv4Addr = ip.parse().unwrap_or_else(|_| panic!("{id}: not an IPv4 address"));
        assert!(!ip.is_unspecified(), "{id}");
        assert_eq!(ip, local_ipv4());
        assert_eq!(pid, std::process::id().to_string());
        assert_eq!(instance, "my_instance");
        // The address is one of this machine's: a socket can be bound to it.
        assert!(std::net::UdpSocket::bind((ip, 0)).is_ok(), "{id}: {ip} is not an address of this machine");
        // Where the machine reaches the outside from a non-loopback address, the id does not
        // say 127.0.0.1 either (a UDP "connect" only picks the source address; nothing is sent).
        if let Some(outward) = outward_ipv4() {
            if !outward.is_loopback() {
                assert!(!ip.is_loopback(), "{id}: loopback although this machine has {outward}");
            }
        }
    }

    #[test]
    fn client_ids_differ_only_in_the_instance_name() {
        let (a, b) = (client_id("DEFAULT"), client_id("other"));
        assert!(a.ends_with("#DEFAULT"), "{a}");
        assert_eq!(a.strip_suffix("DEFAULT"), b.strip_suffix("other"));
    }

    /// The source address the kernel would use towards a TEST-NET-2 address, if any route
    /// leads there.
    fn outward_ipv4() -> Option<Ipv4Addr> {
        let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
        socket.connect((Ipv4Addr::new(198, 51, 100, 1), 9)).ok()?;
        match socket.local_addr().ok()?.ip() {
            std::net::IpAddr::V4(ip) if !ip.is_unspecified() => Some(ip),
            _ => None,
        }
    }
}
