package p2p

import (
	"math"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// GossipSub peer scoring. Skein scores one thing: invalid messages, those
// its topic validators reject (an entry that does not decode or verify, of
// another author than the topic's, or forking the log held). Each topic's
// counter of a peer's invalid messages adds −100 × count² to the peer's
// score and decays to 1% of itself over ScoreDecay. Honest peers, which
// validate what they forward, score 0 and are never penalised; nothing
// rewards them either, so that no positive score can be earned first and
// spent on abuse.
//
// With the thresholds below, a peer's third invalid message (−900) stops
// gossip with it, its fourth (−1,600) stops flood publishing to it, and its
// fifth (−2,500) graylists it: every RPC it sends is dropped before
// validation. After a burst of c invalid messages, a peer leaves the
// graylist once c has decayed below √20 ≈ 4.5: about 10 minutes after 10
// messages, 70 minutes after 1,000, with the default hour.
const (
	// GossipThreshold is the score below which no gossip is sent to, or
	// taken from, a peer.
	GossipThreshold = -500.0
	// PublishThreshold is the score below which messages are not flood
	// published to a peer.
	PublishThreshold = -1000.0
	// GraylistThreshold is the score below which every message from a peer
	// is ignored, unvalidated.
	GraylistThreshold = -2000.0
	// DefaultScoreDecay is how long a peer's count of invalid messages
	// takes to decay to 1% of itself.
	DefaultScoreDecay = time.Hour

	invalidMessageWeight = -100.0

	// acceptPXNever is the score above which a peer's peer exchange is
	// acted on: none reaches it (an honest peer scores 0, and nothing
	// scores higher), so the peers a prune names are never dialled. A
	// node sends no peer exchange either (p2p.go); this keeps an older
	// node that sends it from making a phone dial strangers.
	acceptPXNever = math.MaxFloat64
)

// scoreOptions enables GossipSub's peer scoring, with inspect, if not nil,
// called every second with every peer's score (tests). Unless px, the peer
// exchange of every peer is ignored (acceptPXNever).
func scoreOptions(decay time.Duration, inspect func(map[peer.ID]float64), px bool) []pubsub.Option {
	acceptPX := acceptPXNever
	if px {
		acceptPX = 0
	}
	opts := []pubsub.Option{pubsub.WithPeerScore(
		&pubsub.PeerScoreParams{
			SkipAtomicValidation: true,
			// Filled topic by topic as they are joined (Host.ScoreTopic).
			Topics:        make(map[string]*pubsub.TopicScoreParams),
			DecayInterval: time.Second,
			DecayToZero:   pubsub.DefaultDecayToZero,
			// A peer that disconnects and comes back with the same ID
			// keeps its score.
			RetainScore: decay,
			// No IP colocation penalty: the connection gate limits the
			// connections of one address and network, and test networks
			// put every node on one address.
		},
		&pubsub.PeerScoreThresholds{
			GossipThreshold:   GossipThreshold,
			PublishThreshold:  PublishThreshold,
			GraylistThreshold: GraylistThreshold,
			AcceptPXThreshold: acceptPX,
		},
	)}
	if inspect != nil {
		opts = append(opts, pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(inspect), time.Second))
	}
	return opts
}

// topicScore returns the score parameters of one author's topic.
func topicScore(decay time.Duration) *pubsub.TopicScoreParams {
	return &pubsub.TopicScoreParams{
		SkipAtomicValidation: true,
		TopicWeight:          1,
		// Time in the mesh scores nothing, but pubsub divides by its
		// quantum for every peer in the mesh: it must not be zero.
		TimeInMeshQuantum:              time.Second,
		InvalidMessageDeliveriesWeight: invalidMessageWeight,
		InvalidMessageDeliveriesDecay:  pubsub.ScoreParameterDecayWithBase(decay, time.Second, pubsub.DefaultDecayToZero),
	}
}

// ScoreTopic makes GossipSub score the peers' invalid messages on t, a
// topic the host subscribes to. Topics are one per author, joined as
// authors are followed, so each gets its parameters when it is joined.
func (h *Host) ScoreTopic(t *pubsub.Topic) error {
	return t.SetScoreParams(topicScore(h.scoreDecay))
}
