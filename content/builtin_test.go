package content

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestBuiltin(t *testing.T) {
	decks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	notes, err := BuiltinNotes()
	if err != nil {
		t.Fatal(err)
	}
	if len(decks) == 0 || len(notes) == 0 {
		t.Fatalf("got %d decks and %d notes, want some of each", len(decks), len(notes))
	}
	if !slices.IsSortedFunc(decks, func(a, b *Deck) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Builtin decks are not sorted by ID")
	}
	byID := map[string]*Notes{}
	for _, n := range notes {
		byID[n.ID] = n
	}
	for _, d := range decks {
		if d.Notes == "" {
			continue
		}
		n, ok := byID[d.Notes]
		if !ok {
			t.Errorf("deck %s names notes %q, which are not built in", d.ID, d.Notes)
			continue
		}
		for _, q := range d.Questions {
			if !slices.ContainsFunc(n.Sections, func(s Section) bool { return s.Name == q.Section }) {
				t.Errorf("deck %s line %d: section %q is not a section of notes %s", d.ID, q.Line, q.Section, n.ID)
			}
		}
	}
}

// TestBuiltinConcurrent lets the race detector check that parsing shares
// no state between goroutines.
func TestBuiltinConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := Builtin(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// coverage lists, for every question of decks/aws-compute.md, fragments of
// the facts (bullets) of notes/aws-compute.md it asks: the facts its right
// answer, or the wrongness of one of its options, depends on. Each fragment
// must match exactly one bullet. Polls ask no fact.
var coverage = map[string][]string{
	// AWS Lambda
	"What happens when many events reach a Lambda function at once?":                                                {"Lambda scales out automatically", "triggers its own invocation"},
	"True or false: with Lambda you run code without provisioning or managing servers.":                             {"Lambda is serverless"},
	"True or false: a Lambda function cannot invoke another Lambda function.":                                       {"can invoke other Lambda functions"},
	"Which AWS service traces requests to help you debug Lambda functions?":                                         {"AWS X-Ray helps you debug"},
	"How far can Lambda automate tasks, such as backing up one S3 bucket to another?":                               {"automate tasks across AWS"},
	"True or false: when you build a serverless application with Lambda, Amazon Aurora offers a serverless option.": {"Amazon RDS is not serverless"},
	"True or false: Lambda gives you a direct way to coordinate multiple AWS services into serverless workflows.":   {"no direct way to coordinate"},
	// Amazon Elastic Container Service (ECS)
	"True or false: ECS stands for Elastic Compute Service.": {"ECS stands for"},
	"What is Amazon ECS?": {"container orchestration service"},
	"On what can Amazon ECS and Amazon EKS both run their workloads?": {"ECS can run its tasks", "EKS can run pods", "Fargate works with both"},
	// Lambda triggered by events
	"Why would you connect a Lambda function to a VPC?":                                                                     {"connected to a VPC"},
	"True or false: a Lambda function can call only AWS services, not your own software running on an Amazon EC2 instance.": {"services that AWS does not run for you"},
	"What is the maximum timeout of a Lambda function?":                                                                     {"maximum timeout of a function"},
	"What is the default timeout of a Lambda function, in seconds?":                                                         {"default timeout of a function"},
	"How does Lambda read records from an Amazon SQS queue, a Kinesis stream or a DynamoDB stream?":                         {"event source mapping polls"},
	// Amazon API Gateway
	"What does Amazon API Gateway give your backend?":                                                         {"HTTPS endpoints"},
	"True or false: an edge-optimized API Gateway endpoint uses Amazon CloudFront as its public entry point.": {"edge-optimized API endpoint"},
	"How does Amazon API Gateway invoke a Lambda function?":                                                   {"through a Lambda integration"},
	// When to choose Amazon EC2
	"Which needs point you to Amazon EC2?":                          {"compliance requirements", "broader customization"},
	"True or false: needing GPUs is a reason to choose Amazon EC2.": {"You need GPUs"},
	"Where do your workloads run today?":                            nil,
	// AWS Fargate
	"What is AWS Fargate?":                                {"serverless compute engine for containers", "Fargate removes the need"},
	"How does Fargate keep workloads apart for security?": {"isolates workloads", "runs in its own kernel"},
	// Amazon Elastic Container Registry (ECR)
	"What is Amazon ECR?":                         {"fully managed Docker container registry", "store, manage and deploy Docker images"},
	"Which statements about Amazon ECR are true?": {"integrated with Amazon ECS", "on-premises deployments", "ECR is highly available"},
	"Which service is Amazon ECR integrated with to control access to its images? Give its name or abbreviation.": {"Identity and Access Management"},
	// Amazon Elastic Kubernetes Service (EKS)
	"What is Kubernetes?":                              {"Kubernetes is open-source software"},
	"In Amazon EKS, containers are grouped into what?": {"grouped into pods"},
	"When is Amazon EKS a good choice?":                {"already use Kubernetes", "migrate your Kubernetes workloads", "same toolset"},
	// AWS OpsWorks
	"Which statements about AWS OpsWorks are true?":       {"provides managed instances of Chef and Puppet", "automation platforms", "automate how servers are configured"},
	"Which were offerings of AWS OpsWorks?":               {"OpsWorks has three offerings"},
	"In which year did AWS end support for AWS OpsWorks?": {"ended support"},
	// AWS Elastic Beanstalk
	"True or false: to deploy a Node.js application quickly without managing its infrastructure, choose Amazon CloudFront.": {"To deploy a Node.js application quickly", "quickly deploy and manage applications"},
	"What do you do to deploy an application with AWS Elastic Beanstalk?":                                                   {"You simply upload your application"},
	"Which does AWS Elastic Beanstalk handle for you automatically?":                                                        {"capacity provisioning"},
	"True or false: Elastic Beanstalk reduces management complexity, but takes away your choice and control.":               {"without restricting choice or control"},
	// Amazon CloudFront
	"What is Amazon CloudFront?": {"content delivery network", "no way to deploy your custom applications"},
	"How does Amazon CloudFront deliver data, videos, applications and APIs?": {"securely delivers data, videos"},
	// AWS CloudFormation
	"How does AWS CloudFormation deploy what your application needs?":                         {"CloudFormation provides deployment capabilities"},
	"What do you still have to do yourself to deploy an application with AWS CloudFormation?": {"design a custom template"},
	// AWS CodeCommit
	"What is AWS CodeCommit?": {"hosts secure Git-based repositories"},
	"True or false: once your Node.js code is in AWS CodeCommit, CodeCommit can deploy and manage the application for you.": {"upload Node.js code to CodeCommit"},
	// Amazon Simple Workflow Service (SWF)
	"What is Amazon Simple Workflow Service (SWF)?":                                          {"state tracker and task coordinator"},
	"True or false: Amazon SWF provides serverless orchestration of multiple AWS resources.": {"SWF does not provide serverless orchestration"},
	// AWS Step Functions
	"What does Step Functions provide?":                        {"serverless orchestration for modern applications", "To coordinate multiple AWS services"},
	"In AWS Step Functions, what does orchestration do?":       {"Orchestration centrally manages a workflow"},
	"What does Step Functions do while your application runs?": {"maintains its state", "stores an event log", "pick up right where it left off"},
	// AWS Batch
	"What is AWS Batch mainly used for?": {"hundreds of thousands"},
	"True or false: AWS Batch is a service for coordinating multiple AWS services into serverless workflows.": {"AWS Batch is not the service"},
}

// TestDeckCoversNotes proves that decks/aws-compute.md asks every fact of
// notes/aws-compute.md at least once and every section at least twice, as
// recorded in coverage, and that coverage describes the deck as it is.
func TestDeckCoversNotes(t *testing.T) {
	n := awsNotes(t)
	src, err := builtin.ReadFile("decks/aws-compute.md")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("decks/aws-compute.md", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Questions) < 40 {
		t.Errorf("deck has %d questions, want at least 40", len(d.Questions))
	}
	asked := map[string]int{}      // fact text → questions asking it
	perSection := map[string]int{} // section → questions asking one of its facts
	kinds := map[Kind]bool{}
	unused := maps.Clone(coverage)
	for _, q := range d.Questions {
		kinds[q.Kind] = true
		frags, ok := coverage[q.Text]
		if !ok {
			t.Errorf("line %d: question %q is missing from coverage", q.Line, q.Text)
			continue
		}
		if (q.Kind == KindPoll) != (len(frags) == 0) {
			t.Errorf("line %d: a poll asks no fact, any other question asks one; coverage lists %q", q.Line, frags)
		}
		if len(frags) > 0 {
			perSection[q.Section]++
		}
		for _, frag := range frags {
			var matches []string
			for _, s := range n.Sections {
				for _, f := range s.Facts {
					if strings.Contains(f.Text, frag) {
						matches = append(matches, f.Text)
					}
				}
			}
			if len(matches) != 1 {
				t.Errorf("line %d: fragment %q matches %d facts, want exactly 1: %q", q.Line, frag, len(matches), matches)
				continue
			}
			asked[matches[0]]++
		}
		delete(unused, q.Text)
	}
	for text := range unused {
		t.Errorf("coverage lists %q, which is not a question of the deck", text)
	}
	for _, s := range n.Sections {
		if perSection[s.Name] < 2 {
			t.Errorf("section %q is asked by %d questions, want at least 2", s.Name, perSection[s.Name])
		}
		for _, f := range s.Facts {
			if asked[f.Text] == 0 {
				t.Errorf("notes line %d: fact %q is asked by no question", f.Line, f.Text)
			}
		}
	}
	for _, k := range []Kind{KindSingle, KindMultiple, KindTrueFalse, KindTyped, KindPoll} {
		if !kinds[k] {
			t.Errorf("deck has no %s question", k)
		}
	}
}
