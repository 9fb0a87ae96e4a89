fn main() {
    println!("hazflow");
}
