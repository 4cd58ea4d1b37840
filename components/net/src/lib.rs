//! Resource loading.
