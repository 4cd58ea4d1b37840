//! Tuning the C allocator for ipc-channel's receive buffers.
//!
//! ipc-channel reads every message into a fresh buffer as large as the
//! socket's send buffer (208 KiB on a default Linux), and frees it once the
//! message is decoded. glibc's malloc serves a block that size from a
//! thread's heap and, when it is freed at the top, gives the memory back to
//! the kernel (`madvise`) because it exceeds the default trim threshold.
//! Every message then costs a page-table teardown and a TLB shootdown on
//! every core: on the 2-core machine we measure on, that was about 60 µs of
//! a `getTags()` round trip that is 35 µs without it.
//!
//! [`tune_for_ipc`] raises the thresholds so such blocks stay in the heap and
//! are reused. It changes process-wide settings, so the engine does not call
//! it itself: the `bgsync` binary does at start, and an embedder that uses
//! glibc's malloc may (one with its own global allocator needs nothing).

/// Blocks up to this size come from the heap, not from their own mapping.
pub const MMAP_THRESHOLD_BYTES: usize = 1 << 20;

/// Free memory at the top of a heap is returned to the kernel only beyond
/// this size.
pub const TRIM_THRESHOLD_BYTES: usize = 8 << 20;

/// Sets glibc's `M_MMAP_THRESHOLD` and `M_TRIM_THRESHOLD` (see the module
/// docs). Returns whether the settings took; on other C libraries it does
/// nothing and returns false.
pub fn tune_for_ipc() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes malloc's parameters; both values are
        // within the ranges glibc accepts.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES as libc::c_int) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES as libc::c_int) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_settings() {
        assert!(super::tune_for_ipc());
    }
}
