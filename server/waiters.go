package server

import "sync"

// waitKey names a proposed entry by the session and cxid in its header.
type waitKey struct {
	session int64
	cxid    int32
}

// waitResult is what the apply goroutine hands a waiter.
type waitResult struct {
	zxid int64
	res  any
}

// waiters pairs entries proposed through another server (forwarded to the
// leader) with their results: the local apply of an entry triggers the
// waiter registered under its (session, cxid), like etcd's pkg/wait.
type waiters struct {
	mu sync.Mutex
	m  map[waitKey]chan waitResult
}

func newWaiters() *waiters { return &waiters{m: make(map[waitKey]chan waitResult)} }

// register returns the channel the result of (session, cxid) will arrive on.
func (w *waiters) register(k waitKey) chan waitResult {
	ch := make(chan waitResult, 1)
	w.mu.Lock()
	w.m[k] = ch
	w.mu.Unlock()
	return ch
}

func (w *waiters) cancel(k waitKey) {
	w.mu.Lock()
	delete(w.m, k)
	w.mu.Unlock()
}

// trigger delivers a result if someone waits for it. Called by Apply; never
// blocks.
func (w *waiters) trigger(k waitKey, zxid int64, res any) {
	w.mu.Lock()
	ch, ok := w.m[k]
	if ok {
		delete(w.m, k)
	}
	w.mu.Unlock()
	if ok {
		ch <- waitResult{zxid, res}
	}
}
