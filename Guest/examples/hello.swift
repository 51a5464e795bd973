// hello.swift: greets the private input in the journal.
@main
struct Hello: ZKVMGuest {
    static func main() -> Int32 {
        let name = ZKVM.readInput()  // the private input
        ZKVM.log("hello: greeting \(name.count) bytes\n")  // diagnostics: not part of any proof
        ZKVM.commit("hello, ".utf8)  // the journal: public
        ZKVM.commit(name)
        ZKVM.commit("!\n".utf8)
        return 0  // the exit code
    }
}
