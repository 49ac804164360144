//! Fuzz target `clean_page`: see `newsdesk_fuzz::clean` for what it checks.
#![cfg_attr(feature = "libfuzzer", no_main)]

#[cfg(feature = "libfuzzer")]
libfuzzer_sys::fuzz_target!(|data: &[u8]| newsdesk_fuzz::clean(data));

/// Without libFuzzer: runs the target once over each file named on the command line.
#[cfg(not(feature = "libfuzzer"))]
fn main() {
    newsdesk_fuzz::replay_args(newsdesk_fuzz::clean);
}
