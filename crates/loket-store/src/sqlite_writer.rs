//! Group commit for SQLite: ticket creations and changes from concurrent
//! requests queue for one writer task, which runs whatever has queued in one
//! transaction (each in its own savepoint, so one failure spoils nothing else)
//! and answers every caller only after that transaction's durable commit. One
//! fsync then serves many tickets.

use crate::rows::db_err;
use crate::sqlite::SqliteStore;
use loket_core::store::{Applied, NewTicketRecord, TicketChange};
use loket_core::{DomainError, Result, Ticket};
use sqlx::{Connection, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Most operations in one transaction.
const MAX_BATCH: usize = 128;

/// One queued write and where its answer goes.
pub(crate) enum WriteOp {
    Insert(Box<NewTicketRecord>, oneshot::Sender<Result<Ticket>>),
    Apply(Box<TicketChange>, oneshot::Sender<Result<Applied>>),
}

enum Done {
    Insert(oneshot::Sender<Result<Ticket>>, Result<Ticket>),
    Apply(oneshot::Sender<Result<Applied>>, Result<Applied>),
}

impl Done {
    fn is_ok(&self) -> bool {
        match self {
            Done::Insert(_, r) => r.is_ok(),
            Done::Apply(_, r) => r.is_ok(),
        }
    }

    fn send(self, commit_error: Option<&str>) {
        let fail = |e: &str| DomainError::Storage(format!("commit failed: {e}"));
        match self {
            Done::Insert(tx, r) => {
                let _ = tx.send(match commit_error {
                    Some(e) if r.is_ok() => Err(fail(e)),
                    _ => r,
                });
            }
            Done::Apply(tx, r) => {
                let _ = tx.send(match commit_error {
                    Some(e) if r.is_ok() => Err(fail(e)),
                    _ => r,
                });
            }
        }
    }
}

/// Starts the writer task; it ends when every sender is dropped.
pub(crate) fn spawn(pool: SqlitePool) -> mpsc::Sender<WriteOp> {
    let (tx, mut rx) = mpsc::channel::<WriteOp>(1024);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut ops = vec![first];
            while ops.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => ops.push(op),
                    Err(_) => break,
                }
            }
            run_batch(&pool, ops).await;
        }
    });
    tx
}

async fn run_one(conn: &mut SqliteConnection, op: WriteOp) -> Done {
    match op {
        WriteOp::Insert(rec, reply) => {
            Done::Insert(reply, SqliteStore::insert_ticket_tx(conn, &rec).await)
        }
        WriteOp::Apply(change, reply) => {
            Done::Apply(reply, SqliteStore::apply_tx(conn, &change).await)
        }
    }
}

async fn run_batch(pool: &SqlitePool, ops: Vec<WriteOp>) {
    let mut tx = match pool.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => {
            let msg = e.to_string();
            for op in ops {
                let err = || DomainError::Storage(format!("cannot begin a transaction: {msg}"));
                match op {
                    WriteOp::Insert(_, r) => drop(r.send(Err(err()))),
                    WriteOp::Apply(_, r) => drop(r.send(Err(err()))),
                }
            }
            return;
        }
    };
    let mut done = Vec::with_capacity(ops.len());
    if ops.len() == 1 {
        // Alone: the transaction itself is the savepoint.
        for op in ops {
            done.push(run_one(&mut tx, op).await);
        }
        if !done.iter().all(Done::is_ok) {
            let _ = tx.rollback().await;
            done.into_iter().for_each(|d| d.send(None));
            return;
        }
    } else {
        for op in ops {
            let (d, closed) = match tx.begin().await {
                Ok(mut sp) => {
                    let d = run_one(&mut sp, op).await;
                    let end = if d.is_ok() {
                        sp.commit().await
                    } else {
                        sp.rollback().await
                    };
                    (d, end.map_err(|e| e.to_string()))
                }
                Err(e) => (run_one_failed(op, &e), Ok(())),
            };
            done.push(d);
            if let Err(msg) = closed {
                // The savepoint could not be closed: the batch is unusable.
                let _ = tx.rollback().await;
                done.into_iter().for_each(|d| d.send(Some(&msg)));
                return;
            }
        }
    }
    let commit = tx
        .commit()
        .await
        .map_err(db_err)
        .err()
        .map(|e| e.to_string());
    for d in done {
        d.send(commit.as_deref());
    }
}

fn run_one_failed(op: WriteOp, e: &sqlx::Error) -> Done {
    let err = DomainError::Storage(format!("savepoint failed: {e}"));
    match op {
        WriteOp::Insert(_, r) => Done::Insert(r, Err(err)),
        WriteOp::Apply(_, r) => Done::Apply(r, Err(err)),
    }
}
