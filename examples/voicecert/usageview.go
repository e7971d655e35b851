package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/voicecert/voicecert/rotation"
)

// usageOf returns the certificate-usage view of a full rotation of the
// contact centers ccs (all when empty): a read-only look at what it would
// change, leave and break. Nil when the org cannot be planned (check then
// still reports what it read).
func usageOf(ctx context.Context, b *backends, ccs []string) *rotation.Usage {
	plan, err := rotation.NewOrgPlan(b.idp, b.rp, rotation.WithContactCenters(ccs...), rotation.WithOrgLogger(b.log))
	if err != nil {
		return nil
	}
	m, steps, err := plan.Transitions(ctx)
	if err != nil && !isAppsRefusal(err) {
		b.log.WarnContext(ctx, "no certificate-usage view: the rotation cannot be planned", "error", err)
		return nil
	}
	u := rotation.UsageOf(m, steps)
	return &u
}

// isAppsRefusal reports a refusal that Transitions returns with the model:
// apps changed without an update, or an exclusion that breaks a sign-in.
func isAppsRefusal(err error) bool {
	var ae *rotation.AffectedAppsError
	var xe *rotation.ExcludeError
	return errors.As(err, &ae) || errors.As(err, &xe)
}

// printUsage prints, for each certificate, the apps that sign with it and
// the trusts that trust it, with what the rotation does to each.
func printUsage(w io.Writer, u *rotation.Usage) {
	if u == nil {
		return
	}
	fmt.Fprintln(w, "Certificate usage (what the rotation changes, leaves or breaks):")
	for _, c := range u.Certificates {
		name := orDash(c.Certificate.Name)
		if c.Default {
			name += ", the org default"
		}
		fmt.Fprintf(w, "  %s (%s)\n", short(c.Certificate.SHA256), name)
		for _, a := range c.Apps {
			fmt.Fprintf(w, "    app   %-40s %-8s %s\n", a.App.Name, a.Effect, appNotes(a))
		}
		for _, t := range c.Trusts {
			notes := ""
			if t.Unattached {
				notes = "named by no app"
			}
			if t.Reason != "" {
				notes = strings.TrimSpace(notes + "; " + t.Reason)
			}
			fmt.Fprintf(w, "    trust %-40s %-8s %s\n", t.Trust.ARN, t.Effect, notes)
		}
	}
	if names := u.Affected(); len(names) > 0 {
		fmt.Fprintf(w, "! Affected, not updated: %s. Rotate refuses until each is acknowledged (--accept-affected APP), given a relying party (SDK), or pinned to its current certificate (--pin-affected APP).\n",
			strings.Join(names, ", "))
	}
}

func appNotes(a rotation.AppUsage) string {
	var n []string
	if a.ContactCenter != "" {
		n = append(n, "contact center "+a.ContactCenter)
	} else {
		n = append(n, "no contact center")
	}
	if a.Kind != "" {
		n = append(n, string(a.Kind))
	}
	if a.Pinned {
		n = append(n, "pinned")
	} else {
		n = append(n, "follows the default")
	}
	switch {
	case a.Updated:
		n = append(n, "its trust is updated")
	case a.Acknowledged:
		n = append(n, "changed, not updated (acknowledged)")
	}
	if a.Reason != "" {
		n = append(n, a.Reason)
	}
	return strings.Join(n, "; ")
}

// notUpdatedSummary says which apps a finished rotation changed without
// updating their service providers; empty when none.
func notUpdatedSummary(st *rotation.State) (string, []string) {
	var names []string
	for _, a := range st.Org.NotUpdated() {
		names = append(names, a.Name)
	}
	if len(names) == 0 {
		return "", nil
	}
	return fmt.Sprintf("Changed, not updated (acknowledged): %s now sign(s) with %s; their service providers were not updated by voicecert.",
		strings.Join(names, ", "), st.New.Name), names
}
