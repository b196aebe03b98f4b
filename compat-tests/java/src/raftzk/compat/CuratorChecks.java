package raftzk.compat;
final class CuratorChecks {
    static void register() {}
    static int mutexWorkerMain(String[] args) { return 1; }
}
