fn main() {
    let root = std::env::args()
        .nth(1)
        .map(posture::Root::fixture)
        .unwrap_or_else(posture::Root::live);
    let r = posture::posture_with_root(&root);
    println!(
        "{}",
        serde_json::to_string_pretty(&posture::Document::new(&r)).unwrap()
    );
}
