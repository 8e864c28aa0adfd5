package nncore

import (
	"context"
	"errors"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
)

// EpochMetrics are one epoch's results. TrainLoss and TrainAcc average over every training sample
// seen in the epoch (with the weights as they were at each sample's step, as PyTorch loops report);
// TestLoss and TestAcc are over the test images in eval mode after the epoch. ImagesPerSec counts
// training only; Seconds is the whole epoch including the evaluation.
type EpochMetrics struct {
	Epoch        int     `json:"epoch"` // 1-based
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_acc"`
	TestLoss     float64 `json:"test_loss"`
	TestAcc      float64 `json:"test_acc"`
	ImagesPerSec float64 `json:"images_per_sec"`
	Seconds      float64 `json:"seconds"`
}

// BatchInfo reports a finished training batch. Loss is the mean loss of the batches whose
// statistics were read last (this batch's alone when Hooks.StatsEvery is 0); LossBatches says how
// many batches that was, and is 0 when nothing new was read for this batch.
type BatchInfo struct {
	Epoch, Batch, Batches int   // Epoch 1-based, Batch 0-based
	Step                  int64 // global steps taken, this batch included
	Loss                  float64
	LossBatches           int
	Seen                  int // images trained so far in this epoch
}

// Hooks observe training; a non-nil error from either stops Train and is returned.
type Hooks struct {
	OnBatch func(BatchInfo) error
	OnEpoch func(EpochMetrics) error
	// StatsEvery is the least time between two reads of the engine's training statistics within
	// an epoch (0: after every batch). A GPU engine synchronises on each read, so the browser
	// reads a few times per second, never per batch; the epoch's sums are exact either way.
	StatsEvery time.Duration
}

// Train runs c.Epochs epochs on eng, visiting the first c.TrainLimit training images (0: all) in
// the contract's seeded order, and evaluating on the first c.TestLimit test images after each epoch.
// It stops early with ctx's error when ctx is done.
func Train(ctx context.Context, eng Engine, c Config, train *mnist.Set, h Hooks) ([]EpochMetrics, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if train == nil || train.N == 0 {
		return nil, errors.New("nncore: Train: no training images")
	}
	n := train.N
	if c.TrainLimit > 0 && c.TrainLimit < n {
		n = c.TrainLimit
	}
	if _, err := eng.TakeTrainStats(); err != nil {
		return nil, err
	}
	snap, err := eng.Snapshot() // for the global step counter
	if err != nil {
		return nil, err
	}
	step := snap.Step
	var out []EpochMetrics
	for e := 0; e < c.Epochs; e++ {
		batches := mnist.Batches(mnist.Perm(c.Seed, e, n), c.Batch, c.HasBN())
		start := time.Now()
		var ts TrainStats
		seen, unread := 0, 0
		lastRead, lastLoss := start, 0.0
		for b, idx := range batches {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			if err := eng.TrainBatch(idx); err != nil {
				return out, err
			}
			step++
			seen += len(idx)
			unread++
			if h.OnBatch == nil {
				continue
			}
			info := BatchInfo{Epoch: e + 1, Batch: b, Batches: len(batches), Step: step, Seen: seen, Loss: lastLoss}
			if now := time.Now(); h.StatsEvery <= 0 || now.Sub(lastRead) >= h.StatsEvery {
				s, err := eng.TakeTrainStats()
				if err != nil {
					return out, err
				}
				ts.LossSum += s.LossSum
				ts.Correct += s.Correct
				ts.N += s.N
				if s.N > 0 {
					lastLoss = s.LossSum / float64(s.N)
					info.Loss, info.LossBatches = lastLoss, unread
				}
				lastRead, unread = now, 0
			}
			if err := h.OnBatch(info); err != nil {
				return out, err
			}
		}
		s, err := eng.TakeTrainStats()
		if err != nil {
			return out, err
		}
		trainSec := time.Since(start).Seconds()
		ts.LossSum += s.LossSum
		ts.Correct += s.Correct
		ts.N += s.N
		ev, err := eng.Evaluate(c.TestLimit)
		if err != nil {
			return out, err
		}
		m := EpochMetrics{Epoch: e + 1, Seconds: time.Since(start).Seconds()}
		if ts.N > 0 {
			m.TrainLoss = ts.LossSum / float64(ts.N)
			m.TrainAcc = float64(ts.Correct) / float64(ts.N)
		}
		if ev.N > 0 {
			m.TestLoss = ev.LossSum / float64(ev.N)
			m.TestAcc = float64(ev.Correct) / float64(ev.N)
		}
		if trainSec > 0 {
			m.ImagesPerSec = float64(seen) / trainSec
		}
		out = append(out, m)
		if h.OnEpoch != nil {
			if err := h.OnEpoch(m); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}
