fn main() {
    let p = std::env::args().nth(1).unwrap();
    match hazflow::scenario::load(std::path::Path::new(&p)) {
        Ok(s) => { let pr = s.provenance(); println!("ok {} seed={} assumption={} lit={} unsourced={:?} sha={}", s.scenario.scenario.name, pr.seed, pr.assumption, pr.literature, pr.unsourced, s.sha256()); }
        Err(e) => println!("{e}"),
    }
}
