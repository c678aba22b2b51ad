//! `medchain`: see the library, `medchain_cli`.

fn main() -> std::process::ExitCode {
    medchain_cli::run()
}
