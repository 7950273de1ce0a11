//! The README's "The library in a few lines", verbatim below this comment
//! (`tests/guard.rs` checks that it is, then runs it): a service that reads
//! its policy from `POSTURE_POLICY` and refuses to start without the
//! hardening it requires.
//!
//! ```text
//! POSTURE_POLICY=strict cargo run --example readme    # exit 78 and the fixes on most hosts
//! POSTURE_POLICY=bogus cargo run --example readme     # exit 1: Error: no policy preset named "bogus" (presets: …)
//! ```

use posture::policy::{Policy, PolicyError, Preset};

fn main() -> Result<(), PolicyError> {
    // POSTURE_POLICY=pss-restricted or a file path changes it without a rebuild;
    // a bad value ends main with a sentence naming it and the choices (exit 1).
    let policy = Policy::from_env_or(Policy::preset(Preset::Checklist))?;
    // Refused: every failed check with its evidence and fix on stderr, exit 78.
    // (`posture::guard(&policy)?` returns the refusal instead, and `?` exits 1.)
    posture::enforce(&policy);
    // … start serving …
    Ok(())
}
