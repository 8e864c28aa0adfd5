// Package lab is the Lab page: the form that configures a LeNet-5 run (variant, epochs, batch, lr,
// seed, preprocessing, input-dropout placement, image counts), its controls, progress, curves, the
// epoch table, the BN γ/β tables, live BN statistics (vizui.BNStats), the train/eval-mode accuracy
// gap, violin plots per epoch (vizui.Violins), the network view's host, the comparison table of
// finished runs, and "Run the lab": the four lab variants one after the other (RunSeries, LabPlan),
// with 1–5 seeds and a quick mode, compared per variant (Compare) and answered in words (Answers).
// The Controller also keeps the Concepts page's demo data (vizui.Demo), computed by the worker.
//
// Everything but the markup is plain Go tested natively: Settings (the form as typed, kept in the
// page URL's query), Model (the runs, changed only by Start, Command and Apply of worker events),
// Chart (line charts as one inline SVG each), BNTablesHTML, and the formatting helpers that put
// thousands separators into every number people read. Lab (lab.vugu + lab.go) only presents a
// Controller, which app/bridge and wasm/ui connect to the training worker and the URL.
package lab
