//! The process-wide client log. Like the original, one logger serves every handle and the
//! `Set*Log*` functions of any handle change it. Lines go to a file, never to stdout.
//!
//! Default file: `$HOME/logs/rocketmq-rust/rocketmq_client.log`. `Set*LogPath` names a directory
//! (an existing one, or a path ending in `/`) that receives that file, or else the file itself.
//! When the file passes the size limit it is rotated to `.1`, `.2`, … keeping `file_num` files.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

use once_cell::sync::Lazy;

pub const FATAL: i32 = 1;
pub const ERROR: i32 = 2;
pub const WARN: i32 = 3;
pub const INFO: i32 = 4;
pub const DEBUG: i32 = 5;
pub const TRACE: i32 = 6;

const FILE_NAME: &str = "rocketmq_client.log";

static LEVEL: AtomicI32 = AtomicI32::new(INFO);

struct Sink {
    path: PathBuf,
    file: Option<File>,
    written: u64,
    file_num: u32,
    file_size: u64,
}

static SINK: Lazy<Mutex<Sink>> = Lazy::new(|| {
    Mutex::new(Sink { path: default_path(), file: None, written: 0, file_num: 3, file_size: 100 << 20 })
});

fn default_path() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join("logs").join("rocketmq-rust").join(FILE_NAME)
}

/// Sets the level; values outside 1..=6 mean INFO, as in 2.2.0.
pub fn set_level(level: i32) {
    LEVEL.store(if (FATAL..=TRACE).contains(&level) { level } else { INFO }, Ordering::Relaxed);
}

pub fn level() -> i32 {
    LEVEL.load(Ordering::Relaxed)
}

pub fn set_path(path: &str) {
    let p = Path::new(path);
    let target = if path.ends_with('/') || p.is_dir() { p.join(FILE_NAME) } else { p.to_path_buf() };
    let mut sink = SINK.lock().unwrap_or_else(|e| e.into_inner());
    sink.path = target;
    sink.file = None;
}

/// Closes the log file; the next line opens it again. Called when nothing of the library runs.
pub fn close() {
    SINK.lock().unwrap_or_else(|e| e.into_inner()).file = None;
}

pub fn current_path() -> PathBuf {
    SINK.lock().unwrap_or_else(|e| e.into_inner()).path.clone()
}

/// `file_num` files of at most `file_size_mib` MiB each (the 2.2.0 arguments).
pub fn set_rotation(file_num: i32, file_size_mib: i64) {
    let mut sink = SINK.lock().unwrap_or_else(|e| e.into_inner());
    if file_num > 0 {
        sink.file_num = file_num as u32;
    }
    if file_size_mib > 0 {
        sink.file_size = (file_size_mib as u64).saturating_mul(1 << 20);
    }
}

pub fn enabled(level: i32) -> bool {
    level <= LEVEL.load(Ordering::Relaxed)
}

pub fn write(level: i32, text: &str) {
    if !enabled(level) {
        return;
    }
    let name = match level {
        FATAL => "FATAL",
        ERROR => "ERROR",
        WARN => "WARN",
        INFO => "INFO",
        DEBUG => "DEBUG",
        _ => "TRACE",
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let line = format!("[{}.{:03}] {:5} [{}] {}\n", now.as_secs(), now.subsec_millis(), name, std::process::id(), text);
    let mut sink = SINK.lock().unwrap_or_else(|e| e.into_inner());
    sink.append(line.as_bytes());
}

impl Sink {
    fn append(&mut self, line: &[u8]) {
        if self.file.is_none() {
            if let Some(dir) = self.path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            self.file = OpenOptions::new().create(true).append(true).open(&self.path).ok();
            self.written = self.file.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.len());
        }
        if self.written + line.len() as u64 > self.file_size {
            self.rotate();
        }
        if let Some(f) = self.file.as_mut() {
            if f.write_all(line).is_ok() {
                self.written += line.len() as u64;
            }
        }
    }

    fn rotate(&mut self) {
        self.file = None;
        let numbered = |i: u32| PathBuf::from(format!("{}.{}", self.path.display(), i));
        if self.file_num <= 1 {
            let _ = std::fs::remove_file(&self.path);
        } else {
            let _ = std::fs::remove_file(numbered(self.file_num - 1));
            for i in (1..self.file_num - 1).rev() {
                let _ = std::fs::rename(numbered(i), numbered(i + 1));
            }
            let _ = std::fs::rename(&self.path, numbered(1));
        }
        self.file = OpenOptions::new().create(true).append(true).open(&self.path).ok();
        self.written = 0;
    }
}

pub fn error(text: &str) {
    write(ERROR, text)
}
pub fn warn(text: &str) {
    write(WARN, text)
}
pub fn info(text: &str) {
    write(INFO, text)
}
pub fn debug(text: &str) {
    write(DEBUG, text)
}

#[cfg(test)]
mod tests {
    use super::Sink;

    /// `file_num` files of at most `file_size` bytes: the newest in the file itself, older ones
    /// in `.1`, `.2`, …; the oldest beyond the count are deleted.
    #[test]
    fn rotation_keeps_file_num_files_of_at_most_file_size() {
        let dir = std::env::temp_dir().join(format!("rmq-log-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("client.log");
        let mut sink = Sink { path: path.clone(), file: None, written: 0, file_num: 3, file_size: 100 };
        for i in 0..40 {
            sink.append(format!("line {i:02} of the log\n").as_bytes()); // 20 bytes each
        }
        let numbered = |i: u32| std::path::PathBuf::from(format!("{}.{i}", path.display()));
        let newest = std::fs::read_to_string(&path).unwrap();
        assert!(newest.ends_with("line 39 of the log\n"), "{newest}");
        for p in [path.clone(), numbered(1), numbered(2)] {
            let len = std::fs::metadata(&p).unwrap().len();
            assert!(len > 0 && len <= 100, "{} is {len} bytes", p.display());
        }
        assert!(!numbered(3).exists(), "a fourth file was kept");
        let oldest = std::fs::read_to_string(numbered(2)).unwrap();
        assert!(oldest.starts_with("line 25 "), "{oldest}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
