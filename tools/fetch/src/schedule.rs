//! Runs work items on a few threads with at most `per_key` items of one key (a host) at a time.
//!
//! Items of one key start in their given order; keys take turns. No IO, no knowledge of HTTP:
//! the fetcher passes `host:port` as the key. Results come back in the order of the items.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex, PoisonError};

struct Queue<'a> {
    /// Keys in first-seen order, so that hosts take turns fairly.
    keys: Vec<&'a str>,
    /// Per key: the items waiting and how many are running.
    lanes: HashMap<&'a str, (VecDeque<usize>, usize)>,
    waiting: usize,
    /// Where the next search for a free key starts (round robin).
    cursor: usize,
}

impl<'a> Queue<'a> {
    /// The next item whose key has room, marking it running.
    fn take(&mut self, per_key: usize) -> Option<usize> {
        for step in 0..self.keys.len() {
            let key = self.keys[(self.cursor + step) % self.keys.len()];
            let Some((items, running)) = self.lanes.get_mut(key) else { continue };
            if *running < per_key
                && let Some(item) = items.pop_front()
            {
                *running += 1;
                self.waiting -= 1;
                self.cursor = (self.cursor + step + 1) % self.keys.len();
                return Some(item);
            }
        }
        None
    }
}

/// Calls `work` on every item on up to `jobs` threads, never more than `per_key` at once for
/// items with the same `key`.
pub fn run_limited<T, R>(
    items: &[T],
    key: impl Fn(&T) -> &str + Sync,
    jobs: usize,
    per_key: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let per_key = per_key.max(1);
    let mut queue = Queue { keys: Vec::new(), lanes: HashMap::new(), waiting: items.len(), cursor: 0 };
    for (index, item) in items.iter().enumerate() {
        let lane = queue.lanes.entry(key(item)).or_insert_with_key(|k| {
            queue.keys.push(k);
            (VecDeque::new(), 0)
        });
        lane.0.push_back(index);
    }
    let queue = Mutex::new(queue);
    let changed = Condvar::new();
    let results = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let next = {
                        let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                        loop {
                            if queue.waiting == 0 {
                                break None;
                            }
                            if let Some(index) = queue.take(per_key) {
                                break Some(index);
                            }
                            queue = changed.wait(queue).unwrap_or_else(PoisonError::into_inner);
                        }
                    };
                    let Some(index) = next else { break };
                    let result = work(&items[index]);
                    results.lock().unwrap_or_else(PoisonError::into_inner).push((index, result));
                    let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Some(lane) = queue.lanes.get_mut(key(&items[index])) {
                        lane.1 -= 1;
                    }
                    drop(queue);
                    changed.notify_all();
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn never_more_than_per_key_at_once_and_results_in_order() {
        let items: Vec<(usize, &str)> = (0..24).map(|i| (i, ["a", "b", "c"][i % 3])).collect();
        let running: HashMap<&str, AtomicUsize> = ["a", "b", "c"].iter().map(|k| (*k, AtomicUsize::new(0))).collect();
        let peak: HashMap<&str, AtomicUsize> = ["a", "b", "c"].iter().map(|k| (*k, AtomicUsize::new(0))).collect();
        let total_peak = AtomicUsize::new(0);
        let total = AtomicUsize::new(0);
        let out = run_limited(
            &items,
            |item| item.1,
            5,
            2,
            |item| {
                let now = running[item.1].fetch_add(1, Ordering::SeqCst) + 1;
                peak[item.1].fetch_max(now, Ordering::SeqCst);
                total_peak.fetch_max(total.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                total.fetch_sub(1, Ordering::SeqCst);
                running[item.1].fetch_sub(1, Ordering::SeqCst);
                item.0 * 10
            },
        );
        assert_eq!(out, (0..24).map(|i| i * 10).collect::<Vec<_>>());
        for key in ["a", "b", "c"] {
            assert_eq!(peak[key].load(Ordering::SeqCst), 2, "{key}");
        }
        assert!(total_peak.load(Ordering::SeqCst) <= 5);
        assert!(run_limited(&[] as &[u8], |_| "", 4, 1, |x| *x).is_empty());
    }
}
