//! Group commit for SQLite: ticket creations and changes from concurrent
//! requests queue for one writer task, which runs whatever has queued in one
//! transaction and answers every caller only after that transaction's durable
//! commit, so one fsync serves many tickets. When one operation of a batch
//! fails, the batch is rolled back and each operation runs again alone, so a
//! failure never spoils another caller's write.

use crate::sqlite::SqliteStore;
use loket_core::store::{Applied, NewTicketRecord, TicketChange};
use loket_core::{DomainError, Result, Ticket};
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Most operations in one transaction.
const MAX_BATCH: usize = 128;

/// One queued write and where its answer goes.
pub(crate) enum WriteOp {
    Insert(Box<NewTicketRecord>, oneshot::Sender<Result<Ticket>>),
    Apply(Box<TicketChange>, oneshot::Sender<Result<Applied>>),
}

/// The result of one operation, before it is sent.
enum Outcome {
    Insert(Result<Ticket>),
    Apply(Result<Applied>),
}

impl Outcome {
    fn is_ok(&self) -> bool {
        match self {
            Outcome::Insert(r) => r.is_ok(),
            Outcome::Apply(r) => r.is_ok(),
        }
    }
}

impl WriteOp {
    async fn run(&self, conn: &mut SqliteConnection) -> Outcome {
        match self {
            WriteOp::Insert(rec, _) => Outcome::Insert(SqliteStore::insert_ticket_tx(conn, rec).await),
            WriteOp::Apply(change, _) => Outcome::Apply(SqliteStore::apply_tx(conn, change).await),
        }
    }

    fn answer(self, outcome: Outcome) {
        match (self, outcome) {
            (WriteOp::Insert(_, tx), Outcome::Insert(r)) => drop(tx.send(r)),
            (WriteOp::Apply(_, tx), Outcome::Apply(r)) => drop(tx.send(r)),
            (op, _) => op.fail("internal mismatch of write results"),
        }
    }

    fn fail(self, msg: &str) {
        let err = DomainError::Storage(msg.to_owned());
        match self {
            WriteOp::Insert(_, tx) => drop(tx.send(Err(err))),
            WriteOp::Apply(_, tx) => drop(tx.send(Err(err))),
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

/// What trying a batch came to.
enum Attempt {
    /// Committed; one outcome per operation.
    Committed(Vec<Outcome>),
    /// An operation failed and everything was rolled back; its outcome.
    Failed(Box<Outcome>),
    /// The transaction itself failed.
    Broken(String),
}

async fn attempt(pool: &SqlitePool, ops: &[WriteOp]) -> Attempt {
    let mut tx = match pool.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => return Attempt::Broken(format!("cannot begin a transaction: {e}")),
    };
    let mut outcomes = Vec::with_capacity(ops.len());
    for op in ops {
        let outcome = op.run(&mut tx).await;
        if !outcome.is_ok() {
            let _ = tx.rollback().await;
            return Attempt::Failed(Box::new(outcome));
        }
        outcomes.push(outcome);
    }
    match tx.commit().await {
        Ok(()) => Attempt::Committed(outcomes),
        Err(e) => Attempt::Broken(format!("commit failed: {e}")),
    }
}

async fn run_batch(pool: &SqlitePool, ops: Vec<WriteOp>) {
    match attempt(pool, &ops).await {
        Attempt::Committed(outcomes) => {
            for (op, outcome) in ops.into_iter().zip(outcomes) {
                op.answer(outcome);
            }
        }
        Attempt::Failed(outcome) if ops.len() == 1 => {
            if let Some(op) = ops.into_iter().next() {
                op.answer(*outcome);
            }
        }
        Attempt::Failed(..) => {
            for op in ops {
                match attempt(pool, std::slice::from_ref(&op)).await {
                    Attempt::Committed(mut o) => match o.pop() {
                        Some(outcome) => op.answer(outcome),
                        None => op.fail("no result"),
                    },
                    Attempt::Failed(outcome) => op.answer(*outcome),
                    Attempt::Broken(msg) => op.fail(&msg),
                }
            }
        }
        Attempt::Broken(msg) => ops.into_iter().for_each(|op| op.fail(&msg)),
    }
}
