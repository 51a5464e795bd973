// main returns the exit code: the input's length, after committing the input.
@main
struct Returns: ZKVMGuest {
    static func main() -> Int32 {
        let input = ZKVM.readInput()
        ZKVM.commit(input)
        return Int32(input.count)
    }
}
