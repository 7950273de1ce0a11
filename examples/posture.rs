//! `capsh --print` for container hardening in a few lines of library code:
//! read this process (or a fixture tree), print the text report, then the
//! checklist of a policy. The installable command with every option and exit
//! code is the `posture` binary (src/bin/posture.rs).
//!
//! ```text
//! cargo run --example posture                                   # this process
//! cargo run --example posture -- tests/fixtures/docker-default  # a fixture tree
//! cargo run --example posture -- tests/fixtures/hardened pss-restricted
//! ```
//!
//! Colour follows the terminal and `NO_COLOR`, as the binary's
//! `--color auto` does.

use std::io::IsTerminal;

use posture::policy::{Policy, Preset};
use posture::render::text::{self, Color};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    // Probe: the live system, or a directory shaped like `/`.
    let report = match args.next() {
        Some(dir) => posture::posture_with_root(&posture::Root::fixture(dir)),
        None => posture::posture(),
    };
    // Judge: a preset or policy file named second, else the checklist.
    let policy = match args.next() {
        Some(p) => Policy::from_name_or_path(&p.to_string_lossy())?,
        None => Policy::preset(Preset::Checklist),
    };
    let assessment = posture::evaluate(&report, &policy);
    // Render: colour is the caller's decision, passed as a value.
    let color = if std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    {
        Color::Ansi
    } else {
        Color::Plain
    };
    print!("{}", text::report(&report, color));
    println!();
    print!("{}", text::checks(&assessment, color));
    Ok(())
}
