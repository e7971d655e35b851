package evidence

import "github.com/voicecert/voicecert/rotation"

// shape is what the critical path of an overlap rotation depends on.
type shape struct {
	contactCenters int  // apps in scope
	trusts         int  // IAM providers in scope
	pinned         int  // apps that pin their own certificate
	canary         int  // contact centers (and trusts) changed first, one at a time
	judged         bool // the relying party judges every sign-in (STS)
}

// benchShape is the shape of a benchmark world of n contact centers: two
// AWS accounts (one trust each, or one when n is 1), one pinned app, the
// default canary of one, every sign-in judged (the sandbox's aws backend
// asks the fake IAM's STS).
func benchShape(n int) shape {
	return shape{contactCenters: n, trusts: min(n, 2), pinned: 1, canary: 1, judged: true}
}

// waves is how many one-after-the-other rounds a fan-out of items takes
// with the canary items first, one at a time, then all the rest at once.
func waves(items, canary int) int {
	c := min(canary, items)
	if items > c {
		return c + 1
	}
	return c
}

// stepBounds returns, for each step of the overlap plan, how many API calls
// lie on its longest chain of calls that must run one after the other: a
// call waits for another only when it needs that call's answer (a name, an
// ARN, a document, a certificate's content) or when the plan's safety
// contract makes it check first (read before write); the steps run one
// after the other, the canary before the rest, the org default before the
// apps, and a person's change before it is observed. Everything else may
// run at once. doc.go derives each term.
//
//	preflight 5: list the connected apps, read them (chunks of 10 at once),
//	  then read each app's metadata and snapshot every trust any app names;
//	  then, with the entityID those documents carry, list each account's
//	  SAML providers and read each (the aws backend's TrustsOf; one more
//	  read would snapshot a provider no app names, and the bench world has
//	  none); alongside, once the apps are known, the IdP metadata of each
//	  trust's first app (1) and the sign-in readiness (3: the identity,
//	  userinfo then frontdoor; the user's permission sets, userinfo, the
//	  assignments, then the sets; the apps' grants, then their names);
//	stage 3: read the certificate's name (absent?), create it, read it back
//	  (its X.509 content);
//	trust 4 per wave: read the document (the compare-and-swap), then the
//	  backend reads it again (its own check), updates it, reads it back
//	  (propagated); the canary trust, then the rest; when the relying party
//	  judges sign-ins, then 1: an app per trust and old certificate
//	  signed in (two calls) while the documents were set, and its Response
//	  goes to STS once they all are;
//	activate 3 + 2 + 3 + 2: observe the org (the signing state, 3, with every
//	  trust alongside); read the IdP setting and the new certificate, update
//	  the setting; read the signing state again (3: which apps followed);
//	  then a pinned app's round of reads and its metadata, read again once
//	  the person switched it (2, when an app in scope is pinned);
//	verify 3: list the connected apps, read them, read each app's metadata
//	  (the setting and its certificate, the trusts, and the sign-ins, two
//	  calls each, run alongside; a judged sign-in goes to STS as soon as it
//	  has its Response, 2 + 1 calls);
//	soak 0;
//	retire: the signing state (3: the model the removals are checked on),
//	  the trust waves, then verify 3 (the verification's sign-ins are
//	  confirmed against the final documents, not repeated).
func stepBounds(s shape) map[string]int {
	trust := 4 * waves(s.trusts, s.canary)
	activate := 3 + 2 + 3
	if s.pinned > 0 {
		activate += 2
	}
	setTrust := trust
	if s.judged {
		setTrust++
	}
	return map[string]int{
		rotation.StepPreflight: 5, rotation.StepStage: 3, rotation.StepTrust: setTrust, rotation.StepActivate: activate,
		rotation.StepVerify: 3, rotation.StepSoak: 0, rotation.StepRetire: 3 + trust + 3,
	}
}

// criticalPath is the number of calls on the longest chain of a whole
// overlap rotation of s: the steps' chains one after the other.
func criticalPath(s shape) int {
	n := 0
	for _, b := range stepBounds(s) {
		n += b
	}
	return n
}
